"""`python -m devserver.http.tls_child FOLDER NAME...`: write a fresh CA's certificate, and a server certificate
for NAME... with its private key, into FOLDER (see `devserver.http.tls`). Exits non-zero with one line on stderr."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import trustme

from devserver.http.tls import CA_FILE, CERTIFICATE_FILE, KEY_FILE


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def main(argv: list[str]) -> int:
    folder, names = Path(argv[0]), argv[1:]
    try:
        authority = trustme.CA(organization_name="sst-dev local CA")
        server = authority.issue_cert(*names)
        _write_private(folder / KEY_FILE, server.private_key_pem.bytes())
        (folder / CERTIFICATE_FILE).write_bytes(b"".join(pem.bytes() for pem in server.cert_chain_pems))
        (folder / CA_FILE).write_bytes(authority.cert_pem.bytes())
    except OSError as error:
        print(f"{error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
