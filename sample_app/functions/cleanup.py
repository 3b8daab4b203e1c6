"""Nightly cron job: uploads older than 30 days go, with their thumbnails and catalogue entries."""

from datetime import UTC, datetime, timedelta

import boto3

from devserver.resources import Bucket, Table

MAX_AGE = timedelta(days=30)


def stale_uploads(objects, now, max_age=MAX_AGE):
    """The keys under `uploads/` last modified more than `max_age` before `now`."""
    return [o["Key"] for o in objects if o["Key"].startswith("uploads/") and now - o["LastModified"] > max_age]


def main(event, context):
    s3, dynamodb = boto3.client("s3"), boto3.client("dynamodb")  # made per run: the job runs once a night
    bucket = Bucket.myFiles.bucketName
    objects = s3.list_objects_v2(Bucket=bucket, Prefix="uploads/").get("Contents", [])
    stale = stale_uploads(objects, datetime.now(UTC))
    for key in stale:
        s3.delete_object(Bucket=bucket, Key=key)
        s3.delete_object(Bucket=bucket, Key="thumbnails/" + key.removeprefix("uploads/"))
        dynamodb.delete_item(TableName=Table.catalog.tableName, Key={"key": {"S": key}})
    return {"deleted": stale}
