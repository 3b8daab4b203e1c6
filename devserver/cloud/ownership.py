"""Which resources in an account belong to an app stage, and which stages `--cloud` refuses: pure.

Ownership is recorded as it is on AWS by SST: the tags `sst:app` and `sst:stage` on every resource `--cloud`
creates (buckets, SSM parameters, queues). `sst-dev remove --cloud` deletes only what carries both tags with the
stage's values, so another app's or another stage's resources, or anything made by hand, are never touched, even
under the same names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = [
    "APP_TAG",
    "PRODUCTION_STAGES",
    "STAGE_TAG",
    "is_owned",
    "looks_like_production",
    "ownership_tags",
    "tag_list",
]

APP_TAG = "sst:app"
STAGE_TAG = "sst:stage"
PRODUCTION_STAGES = frozenset({"prod", "production"})


def ownership_tags(app: str, stage: str) -> dict[str, str]:
    return {APP_TAG: app, STAGE_TAG: stage}


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """`[{"Key": ..., "Value": ...}]`, the shape S3 and SSM take tags in."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def is_owned(tags: Mapping[str, str] | Iterable[Mapping[str, str]], app: str, stage: str) -> bool:
    """Whether `tags` (a mapping, or S3's and SSM's list of `Key`/`Value`) name this app and stage."""
    found = tags if isinstance(tags, Mapping) else {tag["Key"]: tag["Value"] for tag in tags}
    return found.get(APP_TAG) == app and found.get(STAGE_TAG) == stage


def looks_like_production(stage: str) -> bool:
    """`prod`, `production`, or either with a suffix or prefix (`prod-eu`, `eu-production`)."""
    parts = stage.lower().replace("_", "-").split("-")
    return any(part in PRODUCTION_STAGES for part in parts)
