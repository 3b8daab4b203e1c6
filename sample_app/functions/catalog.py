"""The image catalogue: the `catalogJobs` queue's consumer records each thumbnail made; `GET /catalog` lists them."""

import json

import boto3

from devserver.resources import Table

dynamodb = boto3.client("dynamodb")


def record(event, context):
    """Queue consumer: one catalogue entry per job, keyed by the upload's key."""
    for message in event["Records"]:
        job = json.loads(message["body"])
        dynamodb.put_item(
            TableName=Table.catalog.tableName,
            Item={
                "key": {"S": job["key"]},
                "thumbnail": {"S": job["thumbnail"]},
                "width": {"N": str(job["width"])},
                "height": {"N": str(job["height"])},
            },
        )
    return {"catalogued": [json.loads(message["body"])["key"] for message in event["Records"]]}


def list_images(event, context):
    items = dynamodb.scan(TableName=Table.catalog.tableName)["Items"]
    images = [
        {
            "key": item["key"]["S"],
            "thumbnail": item["thumbnail"]["S"],
            "size": [int(item["width"]["N"]), int(item["height"]["N"])],
        }
        for item in items
    ]
    return {"images": sorted(images, key=lambda image: image["key"])}
