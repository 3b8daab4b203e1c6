"""TLS for the dev server's local HTTPS endpoints (a WebSocket API's management API), trusted by the workers.

How it works: `issue_local_tls(root, host)` serves one server certificate for the loopback names (`127.0.0.1`,
`localhost`, `::1`) and the host the server listens on, signed by a certificate authority made for it alone. A
short-lived child (`python -m devserver.http.tls_child`) makes both, so the server never loads `cryptography` and
its OpenSSL bindings, and the CA's own key never leaves the child: nothing can sign another certificate with it.
The certificate, its key (0600) and the CA's certificate are kept in `root/cert-<digest of the names>/` (0700) and
served again by every later server of the app that needs the same names: making them costs a Python process
importing `cryptography` on the cores the emulator's start needs. A kept folder that does not load (a partial copy,
a file edited by hand) is made again.

The workers trust the CA through `AWS_CA_BUNDLE`, which boto3 reads: `bundle` holds the usual public roots
(certifi's, as botocore uses), any bundle the server itself was given in `AWS_CA_BUNDLE`, and this CA, so calls to
real AWS endpoints still verify. The bundle lives in the server process's own folder (`root/<pid>/`), removed when
it stops; the folders of servers that died without stopping are removed by the next one (`remove_stale`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import ssl
import sys
from dataclasses import dataclass
from pathlib import Path

from devserver.errors import StartError
from devserver.state.running_server import process_running

__all__ = ["LOOPBACK_NAMES", "LocalTls", "bundle_path", "certificate_names", "issue_local_tls", "own_folder"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
CA_FILE, CERTIFICATE_FILE, KEY_FILE, BUNDLE_FILE = "ca.pem", "server.pem", "server-key.pem", "ca-bundle.pem"


@dataclass(frozen=True)
class LocalTls:
    """The server certificate, its key and the CA's certificate, in `folder` (kept for the app's later servers)."""

    folder: Path

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


def certificate_names(host: str) -> tuple[str, ...]:
    """The names the server certificate covers: the loopback ones, and `host` when the server listens elsewhere."""
    return LOOPBACK_NAMES if host in LOOPBACK_NAMES or host in ("0.0.0.0", "::") else (*LOOPBACK_NAMES, host)


def own_folder(root: Path) -> Path:
    """This server process's folder under `root`: its workers' CA bundle; remove it when the server stops."""
    return root / str(os.getpid())


def bundle_path(root: Path) -> Path:
    """Where `issue_local_tls(root, ...)` writes the bundle this process's workers trust."""
    return own_folder(root) / BUNDLE_FILE


def remove_stale(root: Path) -> None:
    """Remove the folders under `root` of server processes that no longer run (killed before they could)."""
    for folder in root.glob("[0-9]*"):
        if folder.name.isdigit() and not process_running(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)


async def issue_local_tls(root: Path, host: str) -> LocalTls:
    """The certificate for `host` (kept, or made now); this process's bundle is written too (module docstring)."""
    own_folder(root).mkdir(parents=True, exist_ok=True, mode=0o700)
    names = certificate_names(host)
    tls = LocalTls(root / f"cert-{_digest(names)}")
    if not _loads(tls):
        await _make(LocalTls(own_folder(root) / "certificates.partial"), tls, names)
    _write_bundle(bundle_path(root), tls.authority)
    return tls


def _digest(names: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


def _loads(tls: LocalTls) -> bool:
    """Whether the folder holds a server certificate with its key, and a CA certificate, that OpenSSL accepts."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(tls.certificate, tls.key)
        context.load_verify_locations(tls.authority)
    except (OSError, ssl.SSLError):
        return False
    return True


async def _make(partial: LocalTls, kept: LocalTls, names: tuple[str, ...]) -> None:
    """Have the child write the CA and the server certificate into `partial`'s folder, then move it to `kept`'s,
    replacing what is there unless it loads (another server of the app made it meanwhile)."""
    shutil.rmtree(partial.folder, ignore_errors=True)
    partial.folder.mkdir(mode=0o700)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "devserver.http.tls_child",
        str(partial.key),
        str(partial.certificate),
        str(partial.authority),
        *names,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await child.communicate()
    if child.returncode != 0:
        reason = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise StartError(f"cannot make the local TLS certificate in {kept.folder.parent}: {reason[0]}")
    if not _loads(kept):  # else another server of the app made it meanwhile
        shutil.rmtree(kept.folder, ignore_errors=True)
        with contextlib.suppress(OSError):  # another server may move its own there in between: as good
            partial.folder.rename(kept.folder)
    shutil.rmtree(partial.folder, ignore_errors=True)
    if not _loads(kept):
        raise StartError(f"cannot replace {kept.folder} with a new local TLS certificate: remove it and start again")


def _write_bundle(bundle: Path, authority: Path) -> None:
    import certifi

    parts = [Path(certifi.where()).read_bytes()]
    given = os.environ.get("AWS_CA_BUNDLE")
    if given and Path(given).is_file():
        parts.append(Path(given).read_bytes())
    parts.append(authority.read_bytes())
    partial = bundle.with_name(bundle.name + ".partial")
    partial.write_bytes(b"\n".join(parts))
    partial.replace(bundle)
