"""The plan the dev server sends the emulator: every resource of the app, in the emulator's terms."""

from __future__ import annotations

import re
from pathlib import Path

from devserver.app.loader import load_app
from devserver.aws.provisioning_plan import app_plan, new_access_key
from emulator.provisioning.plan import BucketPlan, DeadLetterPlan, QueuePlan, TablePlan, UserPlan
from tests.apps import make_app

STACK = """
dead = Queue(stack, "dead")
jobs = Queue(stack, "jobs", consumer="functions/h.main", dead_letter_queue={"queue": dead, "max_receive_count": 4})
Table(stack, "notes", fields={"user": "string", "at": "number"},
      primary_index={"partition_key": "user", "sort_key": "at"}, stream="new_image")
Bucket(stack, "files", cors=False)
Topic(stack, "news")
EventBus(stack, "bus")
Function(stack, "worker", handler="functions/h.main", bind=[jobs])
"""


def test_the_plan_names_every_resource_and_gives_each_function_its_key(tmp_path: Path) -> None:
    app = load_app(make_app(tmp_path, STACK, {"functions/h.py": "def main(e, c):\n    return e\n"}), stage="dev",
                   api_url=lambda api: "http://x")  # fmt: skip
    policies = {function.name: {"Statement": [{"Effect": "Allow"}]} for function in app.all_functions()}
    keys = {name: new_access_key() for name in policies}

    plan = app_plan(app, {"/sst/p": ("v", True)}, policies, keys)

    assert plan.buckets == (BucketPlan(app.buckets[0].name, cors=False),)
    assert plan.tables == (TablePlan(app.tables[0].name, ("user", "S"), ("at", "N"), "NEW_IMAGE"),)
    by_id = {queue.id: queue for queue in app.queues}
    jobs, dead = by_id["jobs"], by_id["dead"]
    assert set(plan.queues) == {
        QueuePlan(jobs.name, int(jobs.visibility_timeout), DeadLetterPlan(dead.name, 4)),
        QueuePlan(dead.name, int(dead.visibility_timeout)),
    }
    assert plan.topics == (app.topics[0].name,) and plan.event_buses == (app.event_buses[0].name,)
    assert plan.parameters == {"/sst/p": ("v", True)}
    assert sorted(plan.users, key=lambda user: user.name) == [
        UserPlan(name, *keys[name], policies[name]) for name in sorted(policies)
    ]
    assert app_plan(app, {}, None, {}).users == (), "IAM not enforced: no users"


def test_access_keys_are_shaped_as_iam_issues_them_and_never_repeat() -> None:
    keys = {new_access_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(re.fullmatch(r"AKIA[A-Z2-7]{16}", key_id) and len(secret) == 40 for key_id, secret in keys)
