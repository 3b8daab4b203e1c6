"""`GET /account`: sign up or in, then upload to your own folder and see someone else's refused."""

from pathlib import Path

PAGE = (Path(__file__).parent.parent / "web" / "account.html").read_text()


def main(event, context):
    return {"statusCode": 200, "headers": {"content-type": "text/html; charset=utf-8"}, "body": PAGE}
