"""The local Console: a static page plus a JSON API under `/_sst/api/`, one router per area."""

from __future__ import annotations

from devserver.console.buckets import buckets_router
from devserver.console.errors import ConsoleError, install_error_handlers
from devserver.console.functions import functions_router
from devserver.console.invocations import invocations_router
from devserver.console.origin import same_origin_only
from devserver.console.pages import mount_pages
from devserver.console.s3_access import BucketAccess
from devserver.console.secrets import secrets_router
from devserver.console.uploads import uploads_router
from devserver.console.users import users_router

__all__ = [
    "BucketAccess",
    "ConsoleError",
    "buckets_router",
    "functions_router",
    "install_error_handlers",
    "invocations_router",
    "mount_pages",
    "same_origin_only",
    "secrets_router",
    "uploads_router",
    "users_router",
]
