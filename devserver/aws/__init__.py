"""The dev server's side of AWS: the emulator process, the app's resources in it, and the credentials of functions.

`local_aws` runs the emulator and keeps the app's resources in it; `provision` and `provision_child` create them,
through boto3 like any client. May import `app`, `state`, `runtime`, `triggers` and the `emulator` package.
"""
