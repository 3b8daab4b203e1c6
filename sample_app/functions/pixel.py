"""`GET /pixel.png`: a binary response, base64-encoded as API Gateway payload 2.0 requires."""

import base64

# A 1×1 transparent PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def main(event, context):
    return {
        "statusCode": 200,
        "headers": {"content-type": "image/png"},
        "body": base64.b64encode(PIXEL).decode(),
        "isBase64Encoded": True,
    }
