"""Where the emulator answers the dev server's `iam` authorizer (`emulator.iam.execute_api`): a path outside every AWS
API, called by sst-dev only. In a module of its own so the dev server knows it without importing the authorizer,
and botocore's signing code with it (~7 MB)."""

__all__ = ["AUTHORIZE_PATH"]

AUTHORIZE_PATH = "/_sst/execute-api/authorize"
