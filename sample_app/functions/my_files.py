"""`/my-files` routes, behind the `jwt` authorizer: each signed-in user's own folder, `private/<identity id>/`.

The handler works with the caller's identity-pool credentials, not its own: it asks the user pool's identity pool
(at the token's issuer, `{iss}/credentials`, as an app would call Cognito's GetCredentialsForIdentity) for them
with the caller's id token, and presigns with them. So which folders a user can reach is decided by the
emulator, from the Auth's policy (`private/${cognito-identity.amazonaws.com:sub}/*`), not by this code: asking
for someone else's folder gives a URL that S3 refuses with AccessDenied.
"""

import json
import re
import urllib.request

import boto3
from botocore.config import Config

from devserver.resources import Bucket
from functions.storage import s3

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _caller_credentials(event):
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    token = event["headers"]["authorization"].removeprefix("Bearer ").strip()
    request = urllib.request.Request(
        claims["iss"] + "/credentials", method="POST", headers={"authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def _s3_as(identity):
    credentials = identity["Credentials"]
    return boto3.client(
        "s3",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretKey"],
        aws_session_token=credentials["SessionToken"],
        config=Config(signature_version="s3v4"),
    )


def presign(event, context):
    """`POST /my-files/presigned-url` `{"filename", "contentType", "folder"?}`: a presigned PUT into `folder`
    (an identity id; the caller's own by default)."""
    request = json.loads(event.get("body") or "{}")
    identity = _caller_credentials(event)
    folder = str(request.get("folder") or identity["IdentityId"])
    name = SAFE_NAME.sub("-", str(request.get("filename", "upload.bin"))).strip("-") or "upload.bin"
    content_type = str(request.get("contentType") or "application/octet-stream")
    key = f"private/{folder}/{name}"
    url = _s3_as(identity).generate_presigned_url(
        "put_object",
        Params={"Bucket": Bucket.myFiles.bucketName, "Key": key, "ContentType": content_type},
        ExpiresIn=300,
    )
    return {"key": key, "url": url, "identityId": identity["IdentityId"]}


def list_mine(event, context):
    """`GET /my-files`: the caller's identity id and the files in their folder."""
    identity = _caller_credentials(event)
    prefix = f"private/{identity['IdentityId']}/"
    # Listing needs s3:ListBucket on the whole bucket, which the identity policy does not grant (it would show every
    # user's folder names): the function lists with its own binding, only the caller's prefix.
    listing = s3.list_objects_v2(Bucket=Bucket.myFiles.bucketName, Prefix=prefix)
    files = [{"key": item["Key"], "size": item["Size"]} for item in listing.get("Contents", [])]
    return {"identityId": identity["IdentityId"], "username": _username(event), "files": files}


def _username(event):
    return event["requestContext"]["authorizer"]["jwt"]["claims"].get("cognito:username")
