"""Provisioning: the app's resources made in the emulator, from a plan the dev server sends (`plan`), through the
emulator's private endpoint (`endpoint`). Knows nothing of moto: the endpoint is handed the function that applies a
plan (`emulator.moto.provisioning`). May import `emulator.iam`'s signature check and the emulator's root modules.
"""
