"""Local Auth, as SST's Cognito-backed `Auth`: user pools issuing RS256 JWTs, and an identity pool handing out
credentials the emulator scopes per identity.

Pure parts: `passwords`, `tokens`, `identity_pool.identity_policy`. I/O: `users` (files), `identity_pool.IdentityPool`
(the emulator's IAM), `router` (HTTP endpoints), `service` (ties them together). The ids an `Auth` gets are
`devserver.app.auth_ids`; the API Gateway authorizers that check its tokens are `devserver.apigw.jwt_authorizer` and
`devserver.apigw.iam_authorizer`. Neither the package nor `router` imports `service`: the JWT, crypto and boto3
libraries load when the app first uses an `Auth` (`DevServer.auth`), not when the Console and its endpoints are
built. May import `apigw`, `aws`, `state`, `app` and the emulator's pure IAM modules.
"""

__all__ = ["AUTH_PREFIX"]

AUTH_PREFIX = "/_sst/auth"
"""Where each `Auth`'s endpoints are served on every listener: `/_sst/auth/<auth id>/...`."""
