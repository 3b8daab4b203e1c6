"""The `--cloud` commands turn the account's refusals into one `UserError` line and leave other errors alone."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from devserver.cloud.commands import cloud_errors
from devserver.errors import UserError


def test_a_refusal_becomes_one_line() -> None:
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "PutParameter")
    with pytest.raises(UserError, match=r"^AccessDeniedException: the credentials may not use the secrets"):
        with cloud_errors("the secrets"):
            raise denied


def test_user_errors_pass_through_and_other_answers_get_their_code() -> None:
    with pytest.raises(UserError, match="^already one line$"), cloud_errors("x"):
        raise UserError("already one line")
    with pytest.raises(UserError, match="^NoSuchBucket: AWS refused x: gone$"), cloud_errors("x"):
        raise ClientError({"Error": {"Code": "NoSuchBucket", "Message": "gone"}}, "GetObject")
    with pytest.raises(KeyError), cloud_errors("x"):  # not an AWS answer: a bug of ours, reported as it is
        raise KeyError("k")
