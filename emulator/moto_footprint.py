"""What moto keeps in memory that the emulator has no use for, and the switches that keep it out.

- Every service's Flask app is created with `debug = True` (`moto.moto_server.werkzeug_app.create_backend_app`). In
  debug mode Flask attaches a helper class to each request's `files` whose method closes over the request, a
  reference cycle: the request, and the body werkzeug cached on it, then live until the garbage collector's next
  full pass rather than until the response is sent. Measured: eight 8 MiB UploadPart bodies alive at once while the
  emulator's threads handled two. `without_flask_debug` turns debug off on each app as it is created, keeping what
  debug mode did that the emulator relies on: an exception in moto propagates to the server (a 500 answer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

__all__ = ["without_flask_debug"]


def without_flask_debug(dispatcher: DomainDispatcherApplication) -> None:
    """Make every Flask app `dispatcher` creates from now on run outside Flask's debug mode."""
    create_app: Callable[[Any], Flask] = dispatcher.create_app

    def create_quiet_app(service: Any) -> Flask:
        app = create_app(service)
        app.debug = False
        app.config["PROPAGATE_EXCEPTIONS"] = True
        return app

    dispatcher.create_app = create_quiet_app
