"""Binding a construct to a function: SST's variables and SSM parameters, computed from the app model."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from devserver.app.binding import (
    SECRET_PLACEHOLDER,
    BindingError,
    all_bindings_environment,
    binding_environment,
    bound_parameters,
    secret_parameters,
)
from devserver.app.model import AppSpec, FunctionSpec

APP = AppSpec(
    name="sample-app",
    region="us-east-1",
    stage="dev",
    app_dir=Path("/app"),
    resources=MappingProxyType(
        {
            "Bucket": {"myFiles": {"bucketName": "dev-sample-app-myfiles-1234"}},
            "Secret": {"STRIPE_KEY": {}},
            "Parameter": {"MY_CLUSTER_NAME": {"value": "dev-cluster"}},
            "Api": {"api": {"url": "http://127.0.0.1:3000"}},
            "Function": {"image-resizer": {"functionName": "dev-sample-app-image-resizer"}},
            "Table": {"notes": {"tableName": "dev-sample-app-notes"}},
        }
    ),
)


def function(*bind: str) -> FunctionSpec:
    return FunctionSpec(name="dev-sample-app-api-GET", handler="functions/hello.main", app_dir=Path("/app"), bind=bind)


def test_a_bound_bucket_parameter_and_api_become_sst_variables_with_their_values() -> None:
    env = binding_environment(APP, function("Bucket.myFiles", "Parameter.MY_CLUSTER_NAME", "Api.api"))
    assert env["SST_Bucket_bucketName_myFiles"] == "dev-sample-app-myfiles-1234"
    assert env["SST_Parameter_value_MY_CLUSTER_NAME"] == "dev-cluster"
    assert env["SST_Api_url_api"] == "http://127.0.0.1:3000"


def test_a_bound_secret_is_only_a_placeholder_in_the_environment() -> None:
    env = binding_environment(APP, function("Secret.STRIPE_KEY"))
    assert env["SST_Secret_value_STRIPE_KEY"] == SECRET_PLACEHOLDER == "__FETCH_FROM_SSM__"


def test_app_stage_and_ssm_prefix_are_set_even_with_nothing_bound() -> None:
    assert binding_environment(APP, function()) == {
        "SST_APP": "sample-app",
        "SST_STAGE": "dev",
        "SST_SSM_PREFIX": "/sst/sample-app/dev/",
    }


def test_only_the_bound_constructs_appear() -> None:
    env = binding_environment(APP, function("Bucket.myFiles"))
    assert not any(name.startswith(("SST_Secret", "SST_Parameter", "SST_Api")) for name in env)


def test_a_dash_in_an_id_becomes_an_underscore_in_the_variable_name() -> None:
    env = binding_environment(APP, function("Function.image-resizer"))
    assert env["SST_Function_functionName_image_resizer"] == "dev-sample-app-image-resizer"


def test_binding_a_construct_the_app_does_not_declare_names_the_function_and_the_bind() -> None:
    with pytest.raises(BindingError) as raised:
        binding_environment(APP, function("Bucket.myFiles", "Bucket.photos"))
    assert raised.value.code == "Binding.UnknownConstruct"
    assert raised.value.target == "Bucket.photos"
    assert str(raised.value) == (
        'function "dev-sample-app-api-GET" binds Bucket.photos, but the app declares no such construct'
    )


def test_sst_bind_gets_every_resource_of_the_app() -> None:
    env = all_bindings_environment(APP)
    assert env["SST_Table_tableName_notes"] == "dev-sample-app-notes"
    assert env["SST_Secret_value_STRIPE_KEY"] == SECRET_PLACEHOLDER
    assert env["SST_Bucket_bucketName_myFiles"] == "dev-sample-app-myfiles-1234"
    assert env["SST_SSM_PREFIX"] == "/sst/sample-app/dev/"


def test_every_plain_value_is_stored_as_a_string_parameter_at_sst_s_path_and_secrets_are_not() -> None:
    parameters = bound_parameters(APP)
    assert parameters["/sst/sample-app/dev/Bucket/myFiles/bucketName"] == ("dev-sample-app-myfiles-1234", False)
    assert parameters["/sst/sample-app/dev/Parameter/MY_CLUSTER_NAME/value"] == ("dev-cluster", False)
    assert parameters["/sst/sample-app/dev/Api/api/url"] == ("http://127.0.0.1:3000", False)
    assert not any("/Secret/" in name for name in parameters)


def test_secret_values_become_secure_strings_at_the_stage_path_or_the_fallback_path() -> None:
    assert secret_parameters("sample-app", "dev", {"STRIPE_KEY": "sk_1"}) == {
        "/sst/sample-app/dev/Secret/STRIPE_KEY/value": ("sk_1", True)
    }
    assert secret_parameters("sample-app", "dev", {"STRIPE_KEY": "sk_0"}, fallback=True) == {
        "/sst/sample-app/.fallback/Secret/STRIPE_KEY/value": ("sk_0", True)
    }
