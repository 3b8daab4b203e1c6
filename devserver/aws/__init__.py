"""The dev server's side of AWS: the emulator process, the app's resources in it, and the credentials of functions.

`local_aws` runs the emulator and has it create the app's resources from a plan (`provisioning_plan`); `provision`
creates them through boto3 like any client, where the emulator cannot (the cloud, `sst-dev bind`, the fixture).
May import `app`, `state`, `runtime`, `triggers` and the `emulator` package.
"""
