"""What a stage owns is what carries its tags; production-looking stages are recognised."""

from __future__ import annotations

import pytest

from devserver.cloud.ownership import is_owned, looks_like_production, ownership_tags, tag_list


def test_ownership_is_both_tags_with_the_stages_values() -> None:
    tags = ownership_tags("shop", "dev")
    assert tags == {"sst:app": "shop", "sst:stage": "dev"}
    assert is_owned(tags, "shop", "dev")
    assert is_owned(tag_list(tags), "shop", "dev")  # S3's and SSM's list form
    assert not is_owned(tags, "shop", "qa")
    assert not is_owned(tags, "other", "dev")
    assert not is_owned({"sst:app": "shop"}, "shop", "dev")
    assert not is_owned([], "shop", "dev")


@pytest.mark.parametrize("stage", ["prod", "production", "Prod", "prod-eu", "eu_production"])
def test_production_stages_are_recognised(stage: str) -> None:
    assert looks_like_production(stage)


@pytest.mark.parametrize("stage", ["dev", "ada", "qa", "product", "preprod", "staging"])
def test_other_stages_are_not(stage: str) -> None:
    assert not looks_like_production(stage)
