"""`GET /upload`: a page that uploads a picked file through a presigned POST, then shows the bucket's files, and
listens on the `live` WebSocketApi for new thumbnails."""

import json
from pathlib import Path

from devserver.resources import WebSocketApi

PAGE = (Path(__file__).parent.parent / "web" / "upload.html").read_text()


def main(event, context):
    body = PAGE.replace("__LIVE_URL__", json.dumps(WebSocketApi.live.url))
    return {"statusCode": 200, "headers": {"content-type": "text/html; charset=utf-8"}, "body": body}
