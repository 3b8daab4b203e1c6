"""One endpoint answers every promised service through plain boto3, in both S3 addressing styles; buckets and
parameters are provisioned idempotently; middleware in front of moto is told buckets' CORS rules and secret keys."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from devserver.app.model import BucketSpec
from devserver.aws.provision import SST_DEFAULT_BUCKET_CORS, create_buckets, put_parameters
from emulator.process import EmulatorProcess
from tests.integration.emulator_support import PROBE_MIDDLEWARE, virtual_host_s3_client


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(middleware=[PROBE_MIDDLEWARE]) as running:
        yield running


def test_s3_put_and_get(emulator: EmulatorProcess) -> None:
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket="services-s3")
    s3.put_object(Bucket="services-s3", Key="hello.txt", Body=b"hi")

    assert s3.get_object(Bucket="services-s3", Key="hello.txt")["Body"].read() == b"hi"


def test_ssm_secure_string_decrypts_and_parameters_list_by_path(emulator: EmulatorProcess) -> None:
    ssm = emulator.client("ssm")
    ssm.put_parameter(Name="/sst/app/stage/Secret/STRIPE_KEY/value", Value="sk_test", Type="SecureString")
    ssm.put_parameter(Name="/sst/app/stage/Parameter/CLUSTER/value", Value="dev", Type="String")

    secret = ssm.get_parameter(Name="/sst/app/stage/Secret/STRIPE_KEY/value", WithDecryption=True)["Parameter"]
    listed = ssm.get_parameters_by_path(Path="/sst/app/stage/", Recursive=True, WithDecryption=True)["Parameters"]

    assert (secret["Type"], secret["Value"]) == ("SecureString", "sk_test")
    assert {p["Name"]: p["Value"] for p in listed} == {
        "/sst/app/stage/Secret/STRIPE_KEY/value": "sk_test",
        "/sst/app/stage/Parameter/CLUSTER/value": "dev",
    }


def test_ec2_loads_on_first_use_and_ssm_run_command_finds_its_instances(emulator: EmulatorProcess) -> None:
    # The emulator defers moto's EC2 tables (emulator.moto.deferred_ec2): both paths that need them must still work.
    ssm, ec2 = emulator.client("ssm"), emulator.client("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    tags = [{"ResourceType": "instance", "Tags": [{"Key": "role", "Value": "web"}]}]
    ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=tags)
    command = ssm.send_command(
        Targets=[{"Key": "tag:role", "Values": ["web"]}],
        DocumentName="AWS-RunShellScript",
        Parameters={"commands": ["ls"]},
    )["Command"]
    assert command["TargetCount"] == 1


def test_sts_iam_kms_and_dynamodb_answer(emulator: EmulatorProcess) -> None:
    assert emulator.client("sts").get_caller_identity()["Account"].isdigit()
    assert emulator.client("iam").create_user(UserName="alice")["User"]["UserName"] == "alice"
    kms = emulator.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert key_id in [key["KeyId"] for key in kms.list_keys()["Keys"]]
    dynamodb = emulator.client("dynamodb")
    dynamodb.create_table(
        TableName="notes",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert "notes" in dynamodb.list_tables()["TableNames"]


def test_default_boto3_addressing_is_path_style_and_works(emulator: EmulatorProcess) -> None:
    s3 = emulator.client("s3")
    urls: list[str] = []
    s3.meta.events.register("before-send", lambda request, **_: urls.append(request.url))
    s3.create_bucket(Bucket="path-style")
    s3.put_object(Bucket="path-style", Key="k", Body=b"path")

    assert urls[-1] == f"{emulator.endpoint}/path-style/k"
    assert s3.get_object(Bucket="path-style", Key="k")["Body"].read() == b"path"


def test_virtual_host_style_addressing_works(emulator: EmulatorProcess) -> None:
    emulator.client("s3").create_bucket(Bucket="virtual-style")
    s3 = virtual_host_s3_client(emulator)  # requests go to virtual-style.localhost:PORT
    urls: list[str] = []
    s3.meta.events.register("before-send", lambda request, **_: urls.append(request.url))

    s3.put_object(Bucket="virtual-style", Key="v/k.txt", Body=b"virtual")

    assert urls[-1] == f"http://virtual-style.localhost:{emulator.port}/v/k.txt"
    stored = emulator.client("s3").get_object(Bucket="virtual-style", Key="v/k.txt")["Body"].read()
    assert stored == b"virtual"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="virtual-style")["Contents"]] == ["v/k.txt"]


def cors_rules(s3: BaseClient, bucket: str) -> list[dict[str, object]] | None:
    try:
        return list(s3.get_bucket_cors(Bucket=bucket)["CORSRules"])
    except ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchCORSConfiguration"
        return None


def test_create_buckets_is_idempotent_and_sets_sst_default_cors_or_none(emulator: EmulatorProcess) -> None:
    s3 = emulator.client("s3")
    buckets = [
        BucketSpec(id="files", name="provision-files"),
        BucketSpec(id="private", name="provision-private", cors=False),
    ]

    create_buckets(s3, buckets)
    s3.put_object(Bucket="provision-files", Key="kept", Body=b"x")
    create_buckets(s3, buckets)

    assert s3.get_object(Bucket="provision-files", Key="kept")["Body"].read() == b"x"
    assert cors_rules(s3, "provision-files") == SST_DEFAULT_BUCKET_CORS["CORSRules"]
    assert cors_rules(s3, "provision-private") is None


def test_turning_cors_off_removes_the_rules(emulator: EmulatorProcess) -> None:
    s3 = emulator.client("s3")
    create_buckets(s3, [BucketSpec(id="files", name="provision-toggle")])
    create_buckets(s3, [BucketSpec(id="files", name="provision-toggle", cors=False)])

    assert cors_rules(s3, "provision-toggle") is None


def test_put_parameters_stores_strings_and_secure_strings_and_skips_unchanged(emulator: EmulatorProcess) -> None:
    ssm = emulator.client("ssm")
    params = {f"/provision/p{n}": (f"value-{n}", n % 2 == 0) for n in range(12)}  # more than one GetParameters page

    put_parameters(ssm, params)
    put_parameters(ssm, {**params, "/provision/p1": ("changed", False)})

    stored = {
        p["Name"]: p
        for p in ssm.get_parameters_by_path(Path="/provision/", WithDecryption=True, MaxResults=10)["Parameters"]
    }
    assert (stored["/provision/p0"]["Type"], stored["/provision/p0"]["Value"]) == ("SecureString", "value-0")
    assert (stored["/provision/p1"]["Type"], stored["/provision/p1"]["Value"]) == ("String", "changed")
    assert stored["/provision/p1"]["Version"] == 2 and stored["/provision/p0"]["Version"] == 1


def probe(emulator: EmulatorProcess, question: str) -> object:
    """What the probe middleware's injected lookups answer (see `emulator_support`)."""
    return httpx.get(f"{emulator.endpoint}/__probe/{question}").json()


def test_middleware_is_told_a_buckets_cors_rules(emulator: EmulatorProcess) -> None:
    create_buckets(
        emulator.client("s3"),
        [BucketSpec(id="a", name="lookup-open"), BucketSpec(id="b", name="lookup-shut", cors=False)],
    )

    assert probe(emulator, "cors/lookup-open") == SST_DEFAULT_BUCKET_CORS["CORSRules"]
    assert probe(emulator, "cors/lookup-shut") is None
    assert probe(emulator, "cors/no-such-bucket") is None


def test_middleware_is_told_secret_keys_of_the_account_and_of_iam_users(emulator: EmulatorProcess) -> None:
    iam = emulator.client("iam")
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]

    assert probe(emulator, f"secret/{emulator.credentials.access_key_id}") == emulator.credentials.secret_access_key
    assert probe(emulator, f"secret/{key['AccessKeyId']}") == key["SecretAccessKey"]
    assert probe(emulator, "secret/AKIAUNKNOWN") is None


@pytest.mark.parametrize("region", ["eu-west-1", "ap-southeast-2"])
def test_every_regional_service_answers_in_the_apps_region(region: str) -> None:
    # moto's regional backends take their region list from botocore's partitions (emulator.moto.footprint).
    with EmulatorProcess(region=region) as running:
        create_buckets(running.client("s3"), [BucketSpec(id="files", name=f"regional-{region}")])
        put_parameters(running.client("ssm"), {"/regional/p": ("v", True)})
        dynamodb, kms = running.client("dynamodb"), running.client("kms")
        dynamodb.create_table(
            TableName="regional",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        )
        key_arn = kms.create_key()["KeyMetadata"]["Arn"]

        assert running.client("s3").get_bucket_location(Bucket=f"regional-{region}")["LocationConstraint"] == region
        assert running.client("ssm").get_parameter(Name="/regional/p", WithDecryption=True)["Parameter"]["Value"] == "v"
        assert dynamodb.list_tables()["TableNames"] == ["regional"]
        assert key_arn.startswith(f"arn:aws:kms:{region}:")
        assert running.client("sts").get_caller_identity()["Account"] == "123456789012"
