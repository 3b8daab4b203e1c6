"""The AWS account `--cloud` works in: the standard boto3 credential chain and region, and `AWS_ENDPOINT_URL`.

boto3 reads `AWS_ENDPOINT_URL` itself (and `AWS_ENDPOINT_URL_<SERVICE>`), so pointing `--cloud` at any S3/SSM/SQS
compatible endpoint — the tests' moto server standing in for AWS — needs nothing here. Clients retry throttling
answers with boto3's standard backoff (up to `MAX_ATTEMPTS` attempts) before an error reaches the user.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_ATTEMPTS", "CloudAccount"]

MAX_ATTEMPTS = 6


class CloudAccount:
    """boto3 clients for one region of the account the credential chain names (`region=None`: the chain's)."""

    def __init__(self, region: str | None = None) -> None:
        import boto3  # not at import: every `sst-dev` command imports the CLI's modules
        from botocore.config import Config

        self._session = boto3.session.Session(region_name=region)
        self._config = Config(retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS})
        self._clients: dict[str, Any] = {}

    @property
    def region(self) -> str | None:
        region: str | None = self._session.region_name
        return region

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, config=self._config)
        return self._clients[service]
