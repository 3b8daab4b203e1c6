"""One botocore model loader for all of moto, instead of a new one per service model.

moto parses requests and shapes answers from botocore's service models, loaded on a service's first request
(`moto.core.utils.get_service_model`, cached per service). Each load makes a fresh loader, and a fresh loader first
lists every service botocore and moto ship (one `listdir` per service folder, ~4,000 `stat` calls): ~36 ms of the
~45 ms an IAM model took, paid again by the first request of every other service. At `sst-dev start` those first
requests are the app's provisioning (S3, DynamoDB, SQS, SSM and IAM for the sample app), on the path to its first
answer. `install()` makes moto's loads share one loader, which lists the services once and caches what it read, as
a botocore session's loader does.
"""

from __future__ import annotations

import functools

import moto.core.utils as moto_utils
from moto.core.loaders import Loader, create_loader

__all__ = ["install"]


@functools.cache
def _shared_loader() -> Loader:
    return create_loader()


def install() -> None:
    """Make moto load every service model through one loader (idempotent)."""
    moto_utils.create_loader = _shared_loader
