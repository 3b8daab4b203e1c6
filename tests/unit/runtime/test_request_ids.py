"""Request ids: what a handler sees as `context.aws_request_id`, shaped as Lambda's."""

from __future__ import annotations

import re
import uuid

from devserver.runtime.request_ids import new_request_id


def test_a_request_id_is_a_canonical_version_4_uuid() -> None:
    for _ in range(1000):
        request_id = new_request_id()
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", request_id)
        parsed = uuid.UUID(request_id)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == request_id


def test_request_ids_do_not_repeat() -> None:
    assert len({new_request_id() for _ in range(50_000)}) == 50_000
