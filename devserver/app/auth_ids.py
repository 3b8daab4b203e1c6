"""The identifiers an `Auth` gets, shaped like Cognito's and stable for an app, stage and construct id.

Pure functions: the same app always gets the same user pool id, client id and identity pool id, so values written
into a web app's settings or a test keep working across restarts, as they would after one `sst deploy`.
"""

from __future__ import annotations

import hashlib
import string
import uuid

__all__ = ["identity_id", "identity_pool_id", "user_pool_client_id", "user_pool_id"]

_NAMESPACE = uuid.UUID("6f1c2b0e-8a4d-4c55-9d0e-5b3f7e2a9c41")
_ALPHABET = string.ascii_lowercase + string.digits


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("/".join(parts).encode()).digest()


def user_pool_id(region: str, app: str, stage: str, auth_id: str) -> str:
    """`us-east-1_AbC123xyZ`: Cognito's `<region>_<9 alphanumerics>`."""
    digest = _digest("user-pool", app, stage, auth_id)
    alphabet = string.ascii_letters + string.digits
    return f"{region}_" + "".join(alphabet[b % len(alphabet)] for b in digest[:9])


def user_pool_client_id(app: str, stage: str, auth_id: str) -> str:
    """26 lowercase alphanumerics, as Cognito's app client ids."""
    digest = _digest("client", app, stage, auth_id)
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:26])


def identity_pool_id(region: str, app: str, stage: str, auth_id: str) -> str:
    """`us-east-1:<uuid>`, as Cognito identity pool ids."""
    return f"{region}:{uuid.uuid5(_NAMESPACE, f'identity-pool/{app}/{stage}/{auth_id}')}"


def identity_id(region: str) -> str:
    """A new identity id, `us-east-1:<uuid>`, as Cognito's GetId returns."""
    return f"{region}:{uuid.uuid4()}"
