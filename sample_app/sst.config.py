"""The sample app: the SST guides' file-upload flow, plus routes that show the dev server's whole surface."""

from devserver.constructs import Api, Auth, Bucket, Config, Cron, Queue, Table, WebSocketApi


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
    # Each thumbnail made is catalogued by a queue consumer: the notification returns quickly, and a failed
    # catalogue write is retried by the queue rather than lost.
    catalog = Table(stack, "catalog", fields={"key": "string"}, primary_index={"partition_key": "key"})
    catalog_jobs = Queue(
        stack, "catalogJobs", consumer={"function": {"handler": "functions/catalog.record", "bind": [catalog]}}
    )
    # Open upload pages hear about new thumbnails over a WebSocket: the API keeps its connections in a table.
    live_connections = Table(stack, "liveConnections", fields={"id": "string"}, primary_index={"partition_key": "id"})
    live = WebSocketApi(
        stack,
        "live",
        defaults={"function": {"bind": [live_connections]}},
        routes={"$connect": "functions/live.connect", "$disconnect": "functions/live.disconnect"},
    )
    # The thumbnail function reads and writes the bucket, enqueues a job and announces the thumbnail: bind all
    # three, or the emulator refuses it as AWS would.
    bucket.bind([bucket, catalog_jobs, live, live_connections])
    # Every night, uploads older than 30 days go, with their thumbnails.
    Cron(
        stack,
        "cleanup",
        schedule="cron(0 3 * * ? *)",
        job={"function": {"handler": "functions/cleanup.main", "bind": [bucket, catalog]}},
    )
    stripe = Config.Secret(stack, "STRIPE_KEY")
    cluster = Config.Parameter(stack, "MY_CLUSTER_NAME", value="dev-cluster")
    # Users and their own folders, as the Bucket guide's identity pool: private/<identity id>/ is each user's.
    auth = Auth(stack, "auth")
    # IAM's policy variable, replaced by each user's identity id (so a plain string, not an f-string).
    own_folder = "arn:aws:s3:::" + bucket.bucket_name + "/private/${cognito-identity.amazonaws.com:sub}/*"
    auth.attach_permissions_for_auth_users(
        stack,
        [
            {
                "actions": ["s3:*"],
                "resources": [own_folder],
            },
        ],
    )
    api = Api(
        stack,
        "api",
        authorizers={
            "jwt": {
                "type": "user_pool",
                "user_pool": {"id": auth.user_pool_id, "client_ids": [auth.user_pool_client_id]},
            },
        },
        defaults={"function": {"bind": [bucket, stripe, cluster], "timeout": 10}},
        routes={
            "GET /": "functions/hello.main",
            "GET /hello/{name}": "functions/hello.greet",
            "GET /pixel.png": "functions/pixel.main",
            "GET /boom": "functions/boom.main",
            "GET /upload": {"function": {"handler": "functions/upload_page.main", "bind": [live]}},
            "POST /presigned-url": "functions/presign.main",
            "GET /files": "functions/files.list_files",
            "GET /catalog": {"function": {"handler": "functions/catalog.list_images", "bind": [catalog]}},
            "GET /files/{key+}": "functions/files.download",
            "DELETE /files/{key+}": "functions/files.delete",
            "GET /settings": "functions/settings.main",
            "GET /account": "functions/account_page.main",
            "GET /my-files": {"function": "functions/my_files.list_mine", "authorizer": "jwt"},
            "POST /my-files/presigned-url": {"function": "functions/my_files.presign", "authorizer": "jwt"},
        },
    )
    stack.add_outputs(
        {
            "ApiEndpoint": api.url,
            "LiveUrl": live.url,
            "BucketName": bucket.bucket_name,
            "UserPoolId": auth.user_pool_id,
            "UserPoolClientId": auth.user_pool_client_id,
            "IdentityPoolId": auth.identity_pool_id,
        }
    )
