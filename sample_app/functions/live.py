"""The `live` WebSocketApi: the upload page connects, and each new thumbnail is announced to every open page.

Connections are kept in the `liveConnections` table with the management endpoint their `$connect` event names
(`https://{domainName}/{stage}`), as AWS apps keep them: any function that binds the API can then push to them.
"""

import json

import boto3

from devserver.resources import Table

dynamodb = boto3.client("dynamodb")


def connect(event, context):
    request = event["requestContext"]
    endpoint = f"https://{request['domainName']}/{request['stage']}"
    dynamodb.put_item(
        TableName=Table.liveConnections.tableName,
        Item={"id": {"S": request["connectionId"]}, "endpoint": {"S": endpoint}},
    )
    return {"statusCode": 200}


def disconnect(event, context):
    forget(event["requestContext"]["connectionId"])


def forget(connection_id):
    dynamodb.delete_item(TableName=Table.liveConnections.tableName, Key={"id": {"S": connection_id}})


def announce(message):
    """Send `message` (JSON) to every open connection; a connection that is gone is forgotten."""
    data = json.dumps(message).encode()
    for item in dynamodb.scan(TableName=Table.liveConnections.tableName)["Items"]:
        management = boto3.client("apigatewaymanagementapi", endpoint_url=item["endpoint"]["S"])
        try:
            management.post_to_connection(ConnectionId=item["id"]["S"], Data=data)
        except management.exceptions.GoneException:
            forget(item["id"]["S"])
