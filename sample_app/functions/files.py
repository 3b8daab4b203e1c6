"""`GET /files`, `GET /files/{key+}`, `DELETE /files/{key+}`: list, download and delete the bucket's files."""

import base64

from devserver.resources import Bucket
from functions.storage import s3


def list_files(event, context):
    listing = s3.list_objects_v2(Bucket=Bucket.myFiles.bucketName)
    return {"files": [{"key": o["Key"], "size": o["Size"]} for o in listing.get("Contents", [])]}


def download(event, context):
    key = event["pathParameters"]["key"]
    try:
        found = s3.get_object(Bucket=Bucket.myFiles.bucketName, Key=key)
    except s3.exceptions.NoSuchKey:
        return {"statusCode": 404, "body": f"no file {key}"}
    return {
        "statusCode": 200,
        "headers": {"content-type": found.get("ContentType", "application/octet-stream")},
        "body": base64.b64encode(found["Body"].read()).decode(),
        "isBase64Encoded": True,
    }


def delete(event, context):
    s3.delete_object(Bucket=Bucket.myFiles.bucketName, Key=event["pathParameters"]["key"])
    return {"statusCode": 204}
