"""Reads the app stage's notification queue in the account and hands each S3 event to the local dispatcher.

How it works: one thread long-polls the queue (`ReceiveMessage` with a 20 s wait, 10 messages at most), so an idle
queue costs one request per 20 s and no CPU between; a message is deleted once its events are handed to the
dispatcher, which then delivers them with Lambda's asynchronous retries, as offline. A failed receive is logged
and retried after `RETRY_SECONDS`. `close()` returns at once: a receive under way ends on its own within its wait,
and the thread then stops without touching the dispatcher again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from devserver.cloud.bucket_events import raw_events
from emulator.s3.events import RawS3Event

__all__ = ["BucketEventPoller", "RETRY_SECONDS", "WAIT_SECONDS"]

logger = logging.getLogger(__name__)

WAIT_SECONDS = 20
"""SQS's longest wait for a receive: the fewest requests while nothing happens."""
RETRY_SECONDS = 5.0


class BucketEventPoller:
    """Long-polls `queue_url` through `sqs` (a boto3 client) and calls `submit` with each S3 event it holds."""

    def __init__(self, sqs: Any, queue_url: str, submit: Callable[[RawS3Event], None]) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._submit = submit
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cloud-bucket-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closed.set()

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                answer = self._sqs.receive_message(
                    QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=WAIT_SECONDS
                )
            except Exception as error:  # noqa: BLE001 - the account may be briefly unreachable; keep polling
                logger.warning("cannot read the bucket event queue %s: %s (retrying)", self._queue_url, error)
                self._closed.wait(RETRY_SECONDS)
                continue
            if self._closed.is_set():
                return  # the server is stopping: these messages come back after their visibility timeout
            for message in answer.get("Messages", []):
                for event in raw_events(message["Body"]):
                    self._submit(event)
                self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
