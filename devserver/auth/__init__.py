"""Local Auth, as SST's Cognito-backed `Auth`: user pools issuing RS256 JWTs, and an identity pool handing out
credentials the emulator scopes per identity.

Pure parts: `passwords`, `tokens`, `identity_pool.identity_policy`. I/O: `users` (files), `identity_pool.IdentityPool`
(the emulator's IAM), `router` (HTTP endpoints), `service` (ties them together). The ids an `Auth` gets are
`devserver.app.auth_ids`; the API Gateway authorizers that check its tokens are `devserver.apigw.jwt_authorizer` and
`devserver.apigw.iam_authorizer`. The package itself imports none of them: the JWT, crypto and boto3 libraries load
when the app first uses an `Auth` (`DevServer.auth`). May import `apigw`, `aws`, `state`, `app` and the emulator's
pure IAM modules.
"""
