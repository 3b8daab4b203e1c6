"""TLS for the dev server's local HTTPS endpoints (a WebSocket API's management API), trusted by the workers.

How it works: `issue_local_tls(folder, host)` has a short-lived child (`python -m devserver.http.tls_child`) make a
certificate authority and one server certificate it signs for the loopback names (`127.0.0.1`, `localhost`, `::1`)
and the host the server listens on. The child, not the dev server, loads `cryptography` and its OpenSSL
bindings: the server only reads the files the child leaves in `folder` (made 0700; the private key 0600). The
CA's own key never leaves the child, so nothing can sign another certificate with it.

The workers trust the CA through `AWS_CA_BUNDLE`, which boto3 reads: `bundle` holds the usual public roots
(certifi's, as botocore uses), any bundle the server itself was given in `AWS_CA_BUNDLE`, and this CA, so calls to
real AWS endpoints still verify. Each server process has its own folder (named by its pid), removed when it stops;
the folders of servers that died without stopping are removed by the next one (`remove_stale`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from devserver.errors import StartError
from devserver.state.running_server import process_running

__all__ = ["LOOPBACK_NAMES", "LocalTls", "certificate_names", "issue_local_tls", "remove_stale"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
CA_FILE, CERTIFICATE_FILE, KEY_FILE, BUNDLE_FILE = "ca.pem", "server.pem", "server-key.pem", "ca-bundle.pem"


@dataclass(frozen=True)
class LocalTls:
    """The files of one server's local TLS, in `folder`."""

    folder: Path

    @property
    def bundle(self) -> Path:
        """The CA bundle the workers get as `AWS_CA_BUNDLE` (written by `issue_local_tls`)."""
        return self.folder / BUNDLE_FILE

    @property
    def certificate(self) -> Path:
        return self.folder / CERTIFICATE_FILE

    @property
    def key(self) -> Path:
        return self.folder / KEY_FILE

    @property
    def authority(self) -> Path:
        """The CA's certificate (its key stays in the child that made it)."""
        return self.folder / CA_FILE

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def certificate_names(host: str) -> tuple[str, ...]:
    """The names the server certificate covers: the loopback ones, and `host` when the server listens elsewhere."""
    return LOOPBACK_NAMES if host in LOOPBACK_NAMES or host in ("0.0.0.0", "::") else (*LOOPBACK_NAMES, host)


def remove_stale(parent: Path) -> None:
    """Remove the folders under `parent` of server processes that no longer run (killed before they could)."""
    for folder in parent.glob("[0-9]*"):
        if folder.name.isdigit() and not process_running(int(folder.name)):
            LocalTls(folder).remove()


async def issue_local_tls(folder: Path, host: str) -> LocalTls:
    """Make the CA, the server certificate and the bundle in `folder` (see the module docstring)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    tls = LocalTls(folder)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "devserver.http.tls_child",
        str(tls.key),
        str(tls.certificate),
        str(tls.authority),
        *certificate_names(host),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await child.communicate()
    if child.returncode != 0:
        reason = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise StartError(f"cannot make the local TLS certificate in {folder}: {reason[0]}")
    _write_bundle(tls)
    return tls


def _write_bundle(tls: LocalTls) -> None:
    import certifi

    parts = [Path(certifi.where()).read_bytes()]
    given = os.environ.get("AWS_CA_BUNDLE")
    if given and Path(given).is_file():
        parts.append(Path(given).read_bytes())
    parts.append(tls.authority.read_bytes())
    partial = tls.bundle.with_name(tls.bundle.name + ".partial")
    partial.write_bytes(b"\n".join(parts))
    partial.replace(tls.bundle)
