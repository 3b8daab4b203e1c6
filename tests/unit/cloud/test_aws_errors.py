"""Each way an account refuses `--cloud` gets one line naming the AWS error, the resource and what to do."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

from devserver.cloud.aws_errors import explain


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "..."}}, "PutParameter")


@pytest.mark.parametrize(
    ("error", "starts", "advice"),
    [
        (NoCredentialsError(), "NoCredentialsError: no AWS credentials for bucket b", "aws configure"),
        (NoRegionError(), "NoRegionError: no AWS region for bucket b", "AWS_REGION"),
        (client_error("ExpiredToken"), "ExpiredToken: the AWS credentials have expired (bucket b)", "aws sso login"),
        (client_error("InvalidClientTokenId"), "InvalidClientTokenId: the account does not accept", "AWS_PROFILE"),
        (client_error("AccessDenied"), "AccessDenied: the credentials may not use bucket b", "IAM permission"),
        (client_error("AccessDeniedException"), "AccessDeniedException: the credentials may not use", "IAM"),
        (
            client_error("ThrottlingException"),
            "ThrottlingException: AWS kept throttling requests for bucket b",
            "after retries with backoff",
        ),  # fmt: skip
        (client_error("SlowDown"), "SlowDown: AWS kept throttling", "wait and retry"),
        (EndpointConnectionError(endpoint_url="https://s3"), "EndpointConnectionError: cannot reach AWS", "network"),
    ],
)
def test_each_refusal_gets_its_line(error: Exception, starts: str, advice: str) -> None:
    line = explain(error, "bucket b")
    assert line is not None and line.startswith(starts) and advice in line and "\n" not in line


def test_other_answers_get_their_code_and_message_and_other_errors_are_left_to_the_caller() -> None:
    assert explain(client_error("NoSuchBucket"), "bucket b") == "NoSuchBucket: AWS refused bucket b: ..."
    assert explain(ValueError("x"), "bucket b") is None


def test_a_refusal_answered_in_xml_is_read_from_it() -> None:
    xml = (
        '<?xml version="1.0"?>\n<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code>'
        "<Message>The security token included in the request is invalid.</Message></Error></Errors></ErrorResponse>"
    )
    error = ClientError({"Error": {"Code": "403", "Message": xml}}, "PutParameter")
    line = explain(error, "bucket b")
    assert line is not None and line.startswith("InvalidClientTokenId: the account does not accept these")
