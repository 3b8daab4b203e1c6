"""The local Console: a static page plus a JSON API under `/_sst/api/`, one router per area.

`app` builds the FastAPI app from the routers (`buckets`, `uploads`, `invocations`, `functions`, `secrets`, `users`,
`invoke`); `on_demand` builds it on the first request, so FastAPI stays out of a server nobody browses. The routers
type against `host.ConsoleHost`, a Protocol the dev server satisfies: nothing here imports `devserver.server`.
May import `app`, `state`, `runtime`, `auth` and `devserver.invocations`. This `__init__` imports nothing.
"""
