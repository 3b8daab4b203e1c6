"""`--cloud`: the app's resources in a real AWS account (or any endpoint `AWS_ENDPOINT_URL` names), handlers local.

`ownership` says which resources are an app stage's own (its tags) and guards production stages; `aws_errors`
turns the account's refusals into one-line messages; `secrets` keeps `Config.Secret` values in the account's SSM;
`removal` lists and deletes what a stage owns. Pure modules have no I/O; the others talk to the account through
boto3. May import `app`, `state`, `triggers` and `errors`.
"""
