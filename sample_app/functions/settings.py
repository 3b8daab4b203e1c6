"""`GET /settings`: a Parameter and a Secret read through `devserver.resources` (the secret only as its last 4)."""

from devserver.resources import Config


def main(event, context):
    return {
        "app": Config.APP,
        "stage": Config.STAGE,
        "cluster": Config.MY_CLUSTER_NAME,
        "stripeKeyEnding": Config.STRIPE_KEY[-4:],
    }
