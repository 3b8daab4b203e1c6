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
        },
    )
    stack.add_outputs({"ApiEndpoint": api.url, "BucketName": bucket.bucket_name})
