"""The S3 client the storage handlers share, signing as production does (SigV4)."""

import boto3
from botocore.config import Config

# boto3 signs presigned URLs with SigV2 against a custom endpoint unless told otherwise; S3 wants SigV4.
s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
