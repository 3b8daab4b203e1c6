"""The AWS emulator behind sst-dev: moto-backed S3, SSM, IAM, STS, KMS and DynamoDB on one local endpoint."""

__all__: list[str] = []
