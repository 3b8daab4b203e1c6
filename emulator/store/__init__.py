"""The emulator's S3 data on disk: object versions as immutable files (`record` is their format, `paths` where they
live), their bodies as files (`bodies`), the store that writes them durably (`object_store`), and the lock that
keeps one emulator per state folder (`state_lock`). Knows nothing of moto or HTTP; imports nothing else.
"""
