"""`GET /settings` reads a Config.Parameter and a Config.Secret through devserver.resources."""

from devserver.resources import Config


def test_settings_show_the_parameter_and_the_end_of_the_secret(emulator):
    emulator.secrets.set("STRIPE_KEY", "sk_test_4242")

    settings = emulator.http.get("/settings")

    assert settings.status_code == 200
    assert settings.json() == {
        "app": "sample-app",
        "stage": "test",
        "cluster": "dev-cluster",
        "stripeKeyEnding": "4242",
    }


def test_a_changed_secret_reaches_the_warm_function(emulator):
    emulator.secrets.set("STRIPE_KEY", "sk_test_1111")
    assert emulator.http.get("/settings").json()["stripeKeyEnding"] == "1111"

    emulator.secrets.set("STRIPE_KEY", "sk_test_2222")

    assert emulator.http.get("/settings").json()["stripeKeyEnding"] == "2222"


def test_settings_fail_while_the_secret_is_not_set(emulator):
    emulator.secrets.remove("STRIPE_KEY")

    assert emulator.http.get("/settings").status_code == 500
    assert "The following secret values are not set" in emulator.output()


def test_resources_are_bound_in_the_test_process_too(emulator):
    emulator.secrets.set("STRIPE_KEY", "sk_test_9999")

    assert Config.MY_CLUSTER_NAME == "dev-cluster"
    assert Config.STRIPE_KEY == "sk_test_9999"
    assert Config.STAGE == "test"
