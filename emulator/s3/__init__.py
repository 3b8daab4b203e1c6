"""What S3 enforces and answers, as pure rules and ASGI middleware in front of moto: addressing, errors, presigned
URLs, header signatures, what the public may do, which requests are S3 operations, browser POST policies, CORS, the
request guard, which requests are plain, data-integrity checksums, and S3 event records.

Knows nothing of moto: what it needs of the emulator's state comes through `emulator.middleware.S3Lookups`.
May import `emulator.iam`'s pure modules and the emulator's root modules.
"""
