"""moto's WSGI app as the emulator serves it, and the questions other modules may ask about moto's state.

moto's internals are touched here and in the other modules of `emulator.moto`, which hook into, replace or bypass
parts of it, each named for what it does (`s3_hooks`, `bodies`, `hot_paths`, `deferred_ec2`, `persistence`,
`object_reads`, `object_puts`); the middleware in front of moto talks to it through the plain callables built here.

- `build_moto_wsgi_app()`: moto's dispatcher, which routes each request to a service by its SigV4 credential scope
  (so S3, SSM, STS, IAM, KMS and DynamoDB share one endpoint). moto's blanket CORS (every response of every service
  allows every origin) is turned off: buckets created with `cors=False` must refuse browsers as S3 does, and the
  request guard in front of moto answers CORS from the bucket's own rules (`MotoState.lookup_bucket_cors`).
- `warm_up()`: imports and instantiates the services' backends at boot. moto's SSM models import its EC2 models,
  which load region and instance-type data: about 0.9 s that would otherwise land on the first SSM request.
- `MotoState`: bucket CORS rules, secret keys and principal ids, read from moto's backends.
- `s3_backend_for()`: the S3 backend moto would serve a signed request from, for the fast paths.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import moto.settings
from moto import backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import get_account_id_from, iam_backends
from moto.moto_server import werkzeug_app
from moto.s3.models import FakeBucket, S3Backend, s3_backends
from moto.utilities.utils import get_partition

from emulator.iam.policy import Identity, statements_of
from emulator.moto.deferred_ec2 import import_ssm_without_ec2
from emulator.process import EmulatorCredentials

__all__ = ["SERVICES", "MotoState", "build_moto_wsgi_app", "find_bucket", "s3_backend_for", "warm_up"]

SERVICES: tuple[str, ...] = ("s3", "ssm", "sts", "iam", "kms", "dynamodb")
"""The services the emulator promises; others moto knows still answer, created on first use."""

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _CachingDispatcher(werkzeug_app.DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves each host name, and sending SigV2 requests to S3.

    To answer that, moto lists its package directory (one `stat` per service, ~175) and tries its URL patterns on
    every request: about 40 % of moto's own time for a small PutObject, as profiled. The answer for a host never
    changes within a process.
    """

    _MAX_HOSTS = 4096  # virtual-host-style S3 adds one host per bucket; stay bounded all the same

    def __init__(self) -> None:
        super().__init__(werkzeug_app.create_backend_app)
        self._backend_for_host: dict[str | None, Any] = {}

    def infer_service_region_host(self, environ: dict[str, Any], path: str) -> str | None:
        # A SigV2 Authorization header (`AWS key:signature`: a client's, or the one the request guard writes for a
        # verified SigV2 POST form) is S3's, the only service served here that takes it. moto reads every header as
        # SigV4's `Credential=key/date/region/service/...`, and so took a service name from a SigV2 signature holding
        # exactly four "/" (about one in 1,400): a 500 with no service to answer.
        if environ.get("HTTP_AUTHORIZATION", "").startswith("AWS "):
            service, region = werkzeug_app.DEFAULT_SERVICE_REGION
            return f"{service}.{region}.amazonaws.com"
        return super().infer_service_region_host(environ, path)

    def get_backend_for_host(self, host: str | None) -> Any:
        # moto calls this with `self.lock` held, which also guards the cache.
        if host in self._backend_for_host:
            return self._backend_for_host[host]
        backend = super().get_backend_for_host(host)
        if len(self._backend_for_host) < self._MAX_HOSTS:
            self._backend_for_host[host] = backend
        return backend


def build_moto_wsgi_app() -> werkzeug_app.DomainDispatcherApplication:
    """moto's multi-service WSGI app, with its global permissive CORS off (see the module docstring) and its EC2
    tables left unloaded until used (`emulator.moto.deferred_ec2`)."""
    import_ssm_without_ec2()
    # moto reads MOTO_DISABLE_GLOBAL_CORS once, at import; set the flag where create_backend_app reads it.
    moto.settings.DISABLE_GLOBAL_CORS = True
    werkzeug_app.DISABLE_GLOBAL_CORS = True
    return _CachingDispatcher()


def warm_up(app: werkzeug_app.DomainDispatcherApplication, region: str, services: Sequence[str] = SERVICES) -> None:
    """Create each service's Flask app and its backend for the default account in `region` (IAM: its partition)."""
    for service in services:
        with app.lock:
            if service not in app.app_instances:
                app.app_instances[service] = app.create_app(service)  # type: ignore[arg-type]
        backend_dict = backends.get_backend(service)  # type: ignore[call-overload]
        account_backends = backend_dict[DEFAULT_ACCOUNT_ID]
        account_backends[region if region in account_backends.regions else "aws"]


class MotoState:
    """Answers `S3Lookups`' questions and names principals for S3 events, from moto's in-memory backends."""

    def __init__(self, credentials: EmulatorCredentials, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
        self._credentials = credentials
        self._account_id = account_id

    def lookup_bucket_cors(self, bucket_name: str) -> list[dict[str, object]] | None:
        """The bucket's CORS rules in the S3 API's shape, or None (no such bucket, or no CORS configuration)."""
        bucket = find_bucket(bucket_name)
        if bucket is None or not bucket.cors:
            return None
        rules: list[dict[str, object]] = []
        for rule in bucket.cors:
            shaped: dict[str, object] = {
                "AllowedOrigins": list(rule.allowed_origins or []),
                "AllowedMethods": list(rule.allowed_methods or []),
                "AllowedHeaders": list(rule.allowed_headers or []),
                "ExposeHeaders": list(rule.exposed_headers or []),
            }
            if rule.max_age_seconds is not None:
                shaped["MaxAgeSeconds"] = int(rule.max_age_seconds)
            rules.append(shaped)
        return rules

    def lookup_secret_key(self, access_key_id: str) -> str | None:
        """The emulator account's secret for its access key, an IAM user's secret for theirs, else None."""
        if access_key_id == self._credentials.access_key_id:
            return self._credentials.secret_access_key
        user_key = _find_iam_access_key(access_key_id)
        return None if user_key is None else str(user_key[1])

    def lookup_identity(self, access_key_id: str) -> Identity | None:
        """The IAM user owning `access_key_id`, with the statements of its inline and attached policies; None for the
        account's own key or an unknown one (their requests are not checked)."""
        if access_key_id == self._credentials.access_key_id:
            return None
        found = _find_iam_user(access_key_id)
        if found is None:
            return None
        backend, user = found
        documents = [*user.policies.values(), *(p.default_version.document for p in user.managed_policies.values())]
        statements = [statement for document in documents for statement in statements_of(json.loads(document))]
        tags = {tag["Key"]: tag["Value"] for tag in backend.tagger.list_tags_for_resource(user.arn)["Tags"]}
        return Identity(user.arn, statements, user_id=str(user.id), tags=tags)

    def principal_for(self, access_key_id: str | None) -> str:
        """S3 event `principalId`: `AWS:<user id>` for an IAM user's key, as AWS; the account id otherwise."""
        user_key = None if access_key_id is None else _find_iam_access_key(access_key_id)
        return self._account_id if user_key is None else f"AWS:{user_key[0]}"


def find_bucket(bucket_name: str) -> FakeBucket | None:
    """moto's bucket of that name, whichever account and partition holds it (bucket names are global)."""
    location = s3_backends.bucket_accounts.get(bucket_name)
    if location is None:
        return None
    partition, account_id = location
    bucket: FakeBucket | None = s3_backends[account_id][partition].buckets.get(bucket_name)
    return bucket


def s3_backend_for(access_key_id: str, region: str) -> S3Backend | None:
    """The S3 backend moto serves a request signed by `access_key_id` in `region` from, as moto picks it — or None
    when moto would decide otherwise per request: its own IAM checks are on (`/moto-api/reset-auth`), or an
    account override (`MOTO_ACCOUNT_ID`) is set."""
    if moto.settings.INITIAL_NO_AUTH_ACTION_COUNT != float("inf") or "MOTO_ACCOUNT_ID" in os.environ:
        return None
    backend: S3Backend = s3_backends[get_account_id_from(access_key_id)][get_partition(region)]
    return backend


def _find_iam_user(access_key_id: str) -> tuple[Any, Any] | None:
    """The moto IAM backend and user owning `access_key_id`, searched across accounts and partitions, or None."""
    for account_backends in list(iam_backends.values()):
        for partition in list(account_backends.keys()):
            backend = account_backends[partition]
            for user in backend.users.values():
                if any(key.access_key_id == access_key_id for key in user.access_keys):
                    return backend, user
    return None


def _find_iam_access_key(access_key_id: str) -> tuple[str, str] | None:
    """(IAM user id, secret access key) of the user owning `access_key_id`, searched across accounts."""
    found = _find_iam_user(access_key_id)
    if found is None:
        return None
    user = found[1]
    key = next(key for key in user.access_keys if key.access_key_id == access_key_id)
    return str(user.id), str(key.secret_access_key)
