"""The sample app: the SST guides' file-upload flow, plus routes that show the dev server's whole surface."""

from devserver.constructs import Api, Bucket, Config


def config(_input):
    return {"name": "sample-app", "region": "us-east-1"}


def stacks(app):
    app.stack(Storage)


def Storage(stack):
    bucket = Bucket(
        stack,
        "myFiles",
        notifications={
            "thumbs": {
                "function": "functions/thumbs.main",
                "events": ["object_created"],
                "filters": [{"prefix": "uploads/"}, {"suffix": ".png"}],
            },
        },
    )
    # The thumbnail function reads and writes the bucket: bind it, or the emulator refuses it as AWS would.
    bucket.bind([bucket])
    stripe = Config.Secret(stack, "STRIPE_KEY")
    cluster = Config.Parameter(stack, "MY_CLUSTER_NAME", value="dev-cluster")
    api = Api(
        stack,
        "api",
        defaults={"function": {"bind": [bucket, stripe, cluster], "timeout": 10}},
        routes={
            "GET /": "functions/hello.main",
            "GET /hello/{name}": "functions/hello.greet",
            "GET /pixel.png": "functions/pixel.main",
            "GET /boom": "functions/boom.main",
            "GET /upload": "functions/upload_page.main",
            "POST /presigned-url": "functions/presign.main",
            "GET /files": "functions/files.list_files",
            "GET /files/{key+}": "functions/files.download",
            "DELETE /files/{key+}": "functions/files.delete",
            "GET /settings": "functions/settings.main",
        },
    )
    stack.add_outputs({"ApiEndpoint": api.url, "BucketName": bucket.bucket_name})
