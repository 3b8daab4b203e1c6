"""`python -m devserver.http.tls_child KEY CERTIFICATE CA NAME...`: make a fresh CA, write a server certificate for
NAME... to CERTIFICATE (with the CA's), its private key to KEY (mode 0600) and the CA's certificate to CA (see
`devserver.http.tls`). Exits non-zero with one line on stderr. It imports nothing of sst-dev: it runs while the
dev server starts, and every module it loaded would delay the emulator's start on the same cores."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import trustme


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def main(argv: list[str]) -> int:
    key, certificate, ca = (Path(arg) for arg in argv[:3])
    try:
        authority = trustme.CA(organization_name="sst-dev local CA")
        server = authority.issue_cert(*argv[3:])
        _write_private(key, server.private_key_pem.bytes())
        certificate.write_bytes(b"".join(pem.bytes() for pem in server.cert_chain_pems))
        ca.write_bytes(authority.cert_pem.bytes())
    except OSError as error:
        print(f"{error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
