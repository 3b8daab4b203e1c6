"""One line for each way an account refuses `--cloud`: pure.

Each message names the AWS error, the resource at fault and what to do. Throttling is retried with backoff by
boto3 first (`cloud.account` configures it); what still fails gets its line here. Any other error answer gets a
line with its code and message. Some S3-compatible endpoints (moto's server among them) answer a JSON service's
refusal in S3's XML, which botocore reports with the HTTP status as its code: the code is then read from the XML.
"""

from __future__ import annotations

import re

__all__ = ["THROTTLING_CODES", "explain"]

_EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
_INVALID_CREDENTIAL_CODES = frozenset({"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
                                       "InvalidAccessKeyId", "AuthFailure"})  # fmt: skip
_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation"})
THROTTLING_CODES = frozenset({"Throttling", "ThrottlingException", "SlowDown", "RequestLimitExceeded",
                              "TooManyRequestsException", "ProvisionedThroughputExceededException"})  # fmt: skip
_CREDENTIAL_ERRORS = frozenset({"NoCredentialsError", "PartialCredentialsError", "NoRegionError"})


_XML_CODE = re.compile(r"<Code>([^<]+)</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")


def _code_and_message(error: BaseException) -> tuple[str, str] | None:
    """An AWS error answer's code and message, or None when `error` is not one."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict) or "Error" not in response:
        return None
    code, message = str(response["Error"].get("Code", "")), str(response["Error"].get("Message", ""))
    found_code, found_message = _XML_CODE.search(message), _XML_MESSAGE.search(message)
    if code.isdigit() and found_code:
        code, message = found_code.group(1), found_message.group(1) if found_message else ""
    return code, " ".join(message.split())


def explain(error: BaseException, resource: str) -> str | None:
    """The line for `error`, raised while working on `resource` (e.g. `bucket dev-shop-files`), or None when it is
    not an answer from AWS (the caller reports it as it is)."""
    kind = type(error).__name__
    if kind in _CREDENTIAL_ERRORS:
        what = "no AWS region" if kind == "NoRegionError" else "no AWS credentials"
        return (f"{kind}: {what} for {resource}: configure the standard chain (AWS_PROFILE, `aws configure`, "
                "`aws sso login`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and AWS_REGION)")  # fmt: skip
    if kind == "EndpointConnectionError":
        return f"{kind}: cannot reach AWS for {resource}: check the network, or AWS_ENDPOINT_URL if it is set"
    answer = _code_and_message(error)
    if answer is None:
        return None
    code, message = answer
    if code in _EXPIRED_CODES:
        return f"{code}: the AWS credentials have expired ({resource}): renew them (e.g. `aws sso login`) and retry"
    if code in _INVALID_CREDENTIAL_CODES:
        return f"{code}: the account does not accept these AWS credentials ({resource}): check AWS_PROFILE or the keys"
    if code in _DENIED_CODES:
        return f"{code}: the credentials may not use {resource}: grant the IAM permission, or use another profile"
    if code in THROTTLING_CODES:
        return f"{code}: AWS kept throttling requests for {resource} after retries with backoff: wait and retry"
    return f"{code}: AWS refused {resource}: {message}"
