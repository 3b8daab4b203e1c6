"""Notification handler: every PNG uploaded under `uploads/` gets a 128-px thumbnail under `thumbnails/`, a
catalogue job on the `catalogJobs` queue (see `functions/catalog.py`), and a notice to the open upload pages
(`functions/live.py`).

Writing into the same bucket is safe only because the notification's filter (`uploads/` prefix) excludes the
thumbnails this handler writes: without it, each thumbnail would trigger the handler again, forever.
"""

import io
import json
from urllib.parse import unquote_plus

import boto3
from PIL import Image

from devserver.resources import Queue
from functions.live import announce

s3 = boto3.client("s3")
sqs = boto3.client("sqs")
THUMBNAIL_SIZE = (128, 128)


def main(event, context):
    written = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])  # S3 URL-encodes keys in events.
        original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        image = Image.open(io.BytesIO(original))
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.save(out, format="PNG")
        thumbnail_key = "thumbnails/" + key.removeprefix("uploads/")
        s3.put_object(Bucket=bucket, Key=thumbnail_key, Body=out.getvalue(), ContentType="image/png")
        job = {"key": key, "thumbnail": thumbnail_key, "width": image.width, "height": image.height}
        sqs.send_message(QueueUrl=Queue.catalogJobs.queueUrl, MessageBody=json.dumps(job))
        announce({"thumbnail": thumbnail_key})
        written.append(thumbnail_key)
    return {"thumbnails": written}
