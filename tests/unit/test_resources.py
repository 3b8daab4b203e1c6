"""`devserver.resources`: what a handler reads for bound constructs, and how secrets are fetched from SSM."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence

import pytest

from devserver.resources import (
    BoundResources,
    ConfigValues,
    Constructs,
    ResourceNotBoundError,
    SecretsNotSetError,
)

PLACEHOLDER = "__FETCH_FROM_SSM__"
BASE = {"SST_APP": "sample-app", "SST_STAGE": "dev", "SST_SSM_PREFIX": "/sst/sample-app/dev/"}


class FakeParameterStore:
    """An SSM `GetParameters` over a dict, recording every call's names."""

    def __init__(self, parameters: dict[str, str]) -> None:
        self.parameters = parameters
        self.calls: list[list[str]] = []

    def get_parameters(self, names: Sequence[str]) -> dict[str, str]:
        assert len(names) <= 10, "SSM GetParameters takes at most 10 names"
        self.calls.append(list(names))
        return {name: self.parameters[name] for name in names if name in self.parameters}


def config(environ: dict[str, str], store: FakeParameterStore | None = None) -> ConfigValues:
    return ConfigValues(BoundResources(BASE | environ, store or FakeParameterStore({})))


def constructs(kind: str, environ: dict[str, str]) -> Constructs:
    return Constructs(BoundResources(BASE | environ, FakeParameterStore({})), kind)


def test_a_bound_bucket_s_name_is_read_from_its_sst_variable() -> None:
    bucket = constructs("Bucket", {"SST_Bucket_bucketName_myFiles": "dev-sample-app-myfiles-1234"})
    assert bucket.myFiles.bucketName == "dev-sample-app-myfiles-1234"


def test_api_function_and_table_expose_their_sst_props() -> None:
    env = {
        "SST_Api_url_api": "http://127.0.0.1:3000",
        "SST_Function_functionName_worker": "dev-app-worker",
        "SST_Table_tableName_notes": "dev-app-notes",
    }
    assert constructs("Api", env).api.url == "http://127.0.0.1:3000"
    assert constructs("Function", env).worker.functionName == "dev-app-worker"
    assert constructs("Table", env).notes.tableName == "dev-app-notes"


def test_a_bound_auth_exposes_its_pool_ids() -> None:
    env = {
        "SST_Auth_userPoolId_auth": "us-east-1_abc",
        "SST_Auth_userPoolClientId_auth": "client",
        "SST_Auth_identityPoolId_auth": "us-east-1:pool",
    }
    auth = constructs("Auth", env).auth
    assert auth.userPoolId == "us-east-1_abc" and auth.userPoolClientId == "client"
    assert auth.identityPoolId == "us-east-1:pool"


def test_an_id_with_a_dash_is_found_under_its_underscored_variable() -> None:
    bucket = constructs("Bucket", {"SST_Bucket_bucketName_my_files": "b"})
    assert getattr(bucket, "my-files").bucketName == "b"


def test_an_unbound_construct_raises_sst_s_message() -> None:
    with pytest.raises(ResourceNotBoundError) as raised:
        _ = constructs("Bucket", {}).myFiles
    assert str(raised.value) == "Cannot use Bucket.myFiles. Please make sure it is bound to this function."
    assert raised.value.code == "Resource.NotBound"


def test_an_unbound_config_value_raises_sst_s_message_for_config() -> None:
    with pytest.raises(ResourceNotBoundError) as raised:
        _ = config({}).STRIPE_KEY
    assert str(raised.value) == "Cannot use Config.STRIPE_KEY. Please make sure it is bound to this function."


def test_hasattr_tells_whether_a_construct_is_bound() -> None:
    bucket = constructs("Bucket", {"SST_Bucket_bucketName_myFiles": "b"})
    assert hasattr(bucket, "myFiles") and not hasattr(bucket, "photos")


def test_config_has_app_stage_and_bound_parameters() -> None:
    values = config({"SST_Parameter_value_MY_CLUSTER_NAME": "dev-cluster"})
    assert (values.APP, values.STAGE, values.MY_CLUSTER_NAME) == ("sample-app", "dev", "dev-cluster")


def test_reading_a_parameter_never_calls_ssm() -> None:
    store = FakeParameterStore({})
    values = config({"SST_Parameter_value_P": "v", "SST_Secret_value_S": PLACEHOLDER}, store)
    assert values.P == "v"
    assert store.calls == []


def test_the_first_secret_read_fetches_every_placeholder_in_batches_of_ten_then_caches() -> None:
    secrets = {f"SST_Secret_value_KEY{i:02}": PLACEHOLDER for i in range(12)}
    store = FakeParameterStore({f"/sst/sample-app/dev/Secret/KEY{i:02}/value": f"v{i}" for i in range(12)})
    values = config(secrets, store)
    assert values.KEY03 == "v3"
    assert sorted(len(call) for call in store.calls) == [2, 10]
    assert (values.KEY11, values.KEY03) == ("v11", "v3")
    assert len(store.calls) == 2


def test_a_secret_missing_in_the_stage_is_read_from_the_fallback_path() -> None:
    store = FakeParameterStore(
        {
            "/sst/sample-app/dev/Secret/A/value": "stage-a",
            "/sst/sample-app/.fallback/Secret/A/value": "fallback-a",
            "/sst/sample-app/.fallback/Secret/B/value": "fallback-b",
        }
    )
    values = config({"SST_Secret_value_A": PLACEHOLDER, "SST_Secret_value_B": PLACEHOLDER}, store)
    assert (values.A, values.B) == ("stage-a", "fallback-b")
    assert store.calls[1] == ["/sst/sample-app/.fallback/Secret/B/value"]


def test_a_bound_secret_with_no_value_names_every_missing_secret_and_the_command_to_set_it() -> None:
    store = FakeParameterStore({"/sst/sample-app/dev/Secret/SET/value": "x"})
    values = config(
        {name: PLACEHOLDER for name in ("SST_Secret_value_STRIPE_KEY", "SST_Secret_value_SET", "SST_Secret_value_B")},
        store,
    )
    assert values.SET == "x"  # a missing secret does not stop the others from being read
    with pytest.raises(SecretsNotSetError) as raised:
        _ = values.STRIPE_KEY
    first, *commands = str(raised.value).splitlines()
    assert first == 'The following secret values are not set in the "dev stage": B, STRIPE_KEY'
    assert commands == [
        "Run: sst-dev secrets set B <value> --stage dev",
        "Run: sst-dev secrets set STRIPE_KEY <value> --stage dev",
    ]
    assert raised.value.names == ("B", "STRIPE_KEY")


def test_a_missing_secret_is_looked_up_again_once_it_is_set() -> None:
    store = FakeParameterStore({})
    values = config({"SST_Secret_value_STRIPE_KEY": PLACEHOLDER}, store)
    with pytest.raises(SecretsNotSetError):
        _ = values.STRIPE_KEY
    store.parameters["/sst/sample-app/dev/Secret/STRIPE_KEY/value"] = "sk_test"
    assert values.STRIPE_KEY == "sk_test"


def test_importing_the_helper_loads_neither_the_server_nor_the_emulator_nor_boto3() -> None:
    script = "import sys, json, devserver.resources; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout))
    heavy = {"fastapi", "starlette", "uvicorn", "moto", "boto3", "botocore", "devserver.server", "emulator"}
    assert loaded & heavy == set()
