"""What moto keeps in memory that the emulator has no use for, and the switches that keep it out.

- Every service's Flask app is created with `debug = True` (`moto.moto_server.werkzeug_app.create_backend_app`). In
  debug mode Flask attaches a helper class to each request's `files` whose method closes over the request, a
  reference cycle: the request, and the body werkzeug cached on it, then live until the garbage collector's next
  full pass rather than until the response is sent. Measured: eight 8 MiB UploadPart bodies alive at once while the
  emulator's threads handled two. `without_flask_debug` turns debug off on each app as it is created, keeping what
  debug mode did that the emulator relies on: an exception in moto propagates to the server (a 500 answer).
- Each regional service's backend (SSM, STS, KMS, DynamoDB) lists the regions it exists in, which moto asks of a
  boto3 session it keeps for good: that loads botocore's whole endpoint table, ~14 MB of Python objects. Measured
  after warm-up: 89 MB resident that way, 72 MB without; freeing the session afterwards gave nothing back (its
  memory is fragmented among what the backends keep). `with_partition_regions` gives every such service every
  region of botocore's partition list (a few KB) instead: ~9 more regions than some services exist in, which the
  emulator, serving one region, never tells apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.loaders import create_loader
from flask import Flask
from moto.core.base_backend import AccountSpecificBackend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

__all__ = ["with_partition_regions", "without_flask_debug"]


def without_flask_debug(dispatcher: DomainDispatcherApplication) -> None:
    """Make every Flask app `dispatcher` creates from now on run outside Flask's debug mode."""
    create_app: Callable[[Any], Flask] = dispatcher.create_app

    def create_quiet_app(service: Any) -> Flask:
        app = create_app(service)
        app.debug = False
        app.config["PROPAGATE_EXCEPTIONS"] = True
        return app

    dispatcher.create_app = create_quiet_app


def with_partition_regions() -> None:
    """Make moto's regional backends list the regions of botocore's partitions (see the module docstring)."""
    partitions = create_loader().load_data("partitions")["partitions"]
    regions = [region for partition in partitions for region in partition["regions"]]

    def partition_regions(backend: AccountSpecificBackend[Any], service_name: str) -> list[str]:
        return list(regions)

    AccountSpecificBackend._generate_regions = partition_regions  # type: ignore[method-assign,assignment]
