"""Local Auth, as SST's Cognito-backed `Auth`: user pools issuing RS256 JWTs, the API Gateway JWT authorizer's
decisions, and an identity pool handing out credentials the emulator scopes per identity.

Pure parts: `ids`, `passwords`, `tokens`, `authorizer`, `identity_pool.identity_policy`. I/O: `users` (files),
`identity_pool.IdentityPool` (the emulator's IAM), `router` (HTTP endpoints), `service` (ties them together).
The package itself imports none of them: the gateway needs only the pure `authorizer`, and the rest (the JWT,
crypto and boto3 libraries) loads when the app first uses an `Auth` (`DevServer.auth`).
"""
