"""The app model: the constructs of `sst.config.py`, the loader that runs it, and the frozen `AppSpec` it resolves to.

Also what an app implies, as pure functions: names (`naming`), route keys (`route_key`), binding variables and SSM
paths (`binding`), IAM grants (`permissions`), S3 notification rules (`notification_rules`) and which function an
invoke names (`invoke_target`). Pure: no sockets, processes or threads. May import `devserver.errors` and the
emulator's constants, nothing else of the dev server.
"""
