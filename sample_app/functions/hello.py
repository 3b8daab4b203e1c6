"""`GET /` and `GET /hello/{name}`: the smallest handlers, returning JSON."""

from functions.greeting import greeting


def main(event, context):
    return {"message": "Hello from sst-dev!", "requestId": context.aws_request_id}


def greet(event, context):
    name = event["pathParameters"]["name"]
    shout = event.get("queryStringParameters", {}).get("shout") == "1"
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": greeting(name, shout=shout)}
