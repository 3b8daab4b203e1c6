"""API Gateway WebSocket APIs: connections served on a local socket, routes invoked as on AWS, replies through the
management API (`@connections`).

`routing` picks a message's route, `events` builds the events and frames API Gateway sends (both pure); `connections`
holds the open connections; `gateway` is the ASGI app clients connect to; `management` is the ASGI app of the
`apigatewaymanagementapi` endpoint handlers call back (served over TLS, see `devserver.http.tls`).
"""
