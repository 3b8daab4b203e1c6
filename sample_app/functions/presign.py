"""`POST /presigned-url`: a presigned form upload the browser posts a picked file with, straight to the bucket."""

import json
import re

from devserver.resources import Bucket
from functions.storage import s3

MAX_BYTES = 10 * 1024 * 1024
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def main(event, context):
    request = json.loads(event.get("body") or "{}")
    name = SAFE_NAME.sub("-", str(request.get("filename", "upload.bin"))).strip("-") or "upload.bin"
    content_type = str(request.get("contentType") or "application/octet-stream")
    key = f"uploads/{name}"
    upload = s3.generate_presigned_post(
        Bucket=Bucket.myFiles.bucketName,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, MAX_BYTES]],
        ExpiresIn=300,
    )
    return {"key": key, "url": upload["url"], "fields": upload["fields"]}
