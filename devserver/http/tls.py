"""TLS for the dev server's local HTTPS endpoints (a WebSocket API's management API), trusted by the workers.

How it works: a `LocalTls` is a certificate authority made in memory when the server first needs it (trustme, on
`cryptography`), and one server certificate it signs for the loopback names (`127.0.0.1`, `localhost`, `::1`) and
the host the server listens on. Its private keys never reach the disk but for the moment uvicorn loads them from
0600 temporary files. The workers trust it through `AWS_CA_BUNDLE`, which boto3 reads: `write_bundle` writes a
bundle of the usual public roots (certifi's, as botocore uses), any bundle the server itself was given in
`AWS_CA_BUNDLE`, and this CA, so calls to real AWS endpoints (`--cloud`) still verify. Each server process makes
its own CA and bundle file, and removes the file when it stops.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["LocalTls"]

_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


class LocalTls:
    def __init__(self, bundle_path: Path, host: str) -> None:
        import trustme  # here: cryptography loads only for apps that serve a TLS endpoint

        self.bundle_path = bundle_path
        self._ca = trustme.CA(organization_name="sst-dev local CA")
        names = _LOOPBACK_NAMES if host in _LOOPBACK_NAMES or host in ("0.0.0.0", "::") else (*_LOOPBACK_NAMES, host)
        self._server = self._ca.issue_cert(*names)

    def write_bundle(self) -> Path:
        """Write the CA bundle the workers get as `AWS_CA_BUNDLE` (see the module docstring); returns its path."""
        import certifi

        parts = [Path(certifi.where()).read_bytes()]
        given = os.environ.get("AWS_CA_BUNDLE")
        if given and Path(given).is_file():
            parts.append(Path(given).read_bytes())
        parts.append(self._ca.cert_pem.bytes())
        self.bundle_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.bundle_path.with_name(self.bundle_path.name + ".partial")
        partial.write_bytes(b"\n".join(parts))
        partial.replace(self.bundle_path)
        return self.bundle_path

    @contextlib.contextmanager
    def server_files(self) -> Iterator[tuple[str, str]]:
        """The server certificate chain and its private key as files (certificate, key), for as long as uvicorn
        needs to load them."""
        with self._server.private_key_pem.tempfile() as key, self._server.cert_chain_pems[0].tempfile() as cert:
            yield cert, key

    def remove_bundle(self) -> None:
        self.bundle_path.unlink(missing_ok=True)
