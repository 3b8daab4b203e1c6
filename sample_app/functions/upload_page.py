"""`GET /upload`: a page that uploads a picked file through a presigned POST, then shows the bucket's files."""

from pathlib import Path

PAGE = (Path(__file__).parent.parent / "web" / "upload.html").read_text()


def main(event, context):
    return {"statusCode": 200, "headers": {"content-type": "text/html; charset=utf-8"}, "body": PAGE}
