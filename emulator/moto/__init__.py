"""The only place that knows moto's internals: its WSGI app as the emulator serves it, the S3 hook that reports
writes and deletes, the fast paths that answer plain object reads and writes from moto's backend, object bodies kept
in files, write-through persistence, the switches that keep moto's unused tables out of memory, and S3's answers
where moto's differ (ACLs, stored Content-Encoding, malformed requests, checksums).

May import `emulator.s3`, `emulator.iam`, `emulator.store` and the emulator's root modules; nothing of `devserver`.
"""
