"""The seeds' server-side relink flows, run through the official `stripe` Python SDK against a
real sandbox: if these pass, a merchant's Stripe code works against relink by changing only the
base URL."""

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import stripe

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_BIN = os.environ.get("RELINK_SANDBOX_BIN", str(ROOT / "target" / "debug" / "relink-sandbox"))
SECRET_KEY = "sk_test_relinksandbox000000000000"
PREVIEW = "2026-04-22.preview"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def origin():
    port = free_port()
    process = subprocess.Popen(
        [SANDBOX_BIN, "--addr", f"127.0.0.1:{port}", "--db", ":memory:"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz") as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(process.stderr.read().decode())
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def client(origin) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": origin}, stripe_version=PREVIEW)


def call_test_helper(client: stripe.StripeClient, path: str, **params):
    """The sandbox's test-only control plane is not in the SDK; call it through raw_request."""
    response = client.raw_request("post", path, **params)
    return client.deserialize(response, api_mode="V1")


@pytest.fixture
def customer(client):
    return client.v1.customers.create(params={"email": "jenny.rosen@example.com", "name": "Jenny Rosen"})


def link_account(client, customer, last4="6789", institution="Sandbox Bank"):
    session = client.v1.financial_connections.sessions.create(
        params={
            "account_holder": {"type": "customer", "customer": customer.id},
            "permissions": ["payment_method", "balances"],
        }
    )
    assert session.client_secret.startswith("fcsess_client_secret_")
    done = call_test_helper(
        client,
        f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete",
        institution=institution,
        accounts=[last4],
    )
    return done["accounts"]["data"][0]


def relink_session(client, customer, account, exact=True):
    options = {"authorization": account["authorization"]}
    if exact:
        options["account"] = account["id"]
    return client.v1.financial_connections.sessions.create(
        params={
            "account_holder": {"type": "customer", "customer": customer.id},
            "permissions": ["payment_method", "balances"],
            "relink_options": options,
        }
    )


def test_relink_a_specific_account(client, customer):
    account = link_account(client, customer)
    call_test_helper(
        client,
        f"/v1/test_helpers/financial_connections/accounts/{account['id']}/deactivate",
        cause="access_expired",
    )
    inactive = client.v1.financial_connections.accounts.retrieve(account["id"])
    assert inactive.status == "inactive"
    assert inactive.status_details.inactive.action == "relink_required"
    assert inactive.status_details.inactive.cause == "access_expired"

    session = relink_session(client, customer, inactive)
    assert session.limits.accounts == 1
    assert session.filters.account_subcategories == ["checking", "savings"]
    assert session.relink_options.account == account["id"]

    done = call_test_helper(
        client,
        f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete",
        accounts=[account["last4"]],
    )
    assert done["relink_result"]["account"] == account["id"]
    assert done["relink_result"]["authorization"] == account["authorization"]
    assert done["relink_result"]["failure_reason"] is None

    repaired = client.v1.financial_connections.accounts.retrieve(account["id"])
    assert repaired.status == "active"
    authorization = client.raw_request("get", f"/v1/financial_connections/authorizations/{account['authorization']}")
    assert client.deserialize(authorization, api_mode="V1")["status"] == "active"


@pytest.mark.parametrize(
    ("authentication", "picked", "reason"),
    [
        ("abandoned", [], "no_authorization"),
        ("failed", [], "no_authorization"),
        ("succeeded", ["4321"], "no_account"),
        ("succeeded", [], "no_account"),
    ],
)
def test_every_failure_reason(client, customer, authentication, picked, reason):
    account = link_account(client, customer)
    call_test_helper(client, f"/v1/test_helpers/financial_connections/accounts/{account['id']}/deactivate", cause="access_denied")
    session = relink_session(client, customer, account)
    params = {"authentication": authentication}
    if picked:
        params["accounts"] = picked
    done = call_test_helper(client, f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete", **params)
    assert done["relink_result"].to_dict() == {"account": None, "authorization": None, "failure_reason": reason}
    assert client.v1.financial_connections.accounts.retrieve(account["id"]).status == "inactive"


def test_down_bank_links_nothing(client, customer):
    session = client.v1.financial_connections.sessions.create(
        params={"account_holder": {"type": "customer", "customer": customer.id}, "permissions": ["payment_method"]}
    )
    done = call_test_helper(
        client,
        f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete",
        institution="Down Bank",
        accounts=["6789"],
    )
    assert done["accounts"]["data"] == []


def test_authorization_only_relink_links_a_new_account_on_the_same_authorization(client, customer):
    account = link_account(client, customer)
    call_test_helper(client, f"/v1/test_helpers/financial_connections/accounts/{account['id']}/deactivate", cause="access_expired")
    session = relink_session(client, customer, account, exact=False)
    done = call_test_helper(client, f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete", accounts=["4321"])
    linked = done["accounts"]["data"][0]
    assert linked["id"] != account["id"]
    assert linked["authorization"] == account["authorization"]
    assert done["relink_result"]["account"] is None
    assert done["relink_result"]["authorization"] == account["authorization"]
    # The authorization is repaired, so its other account comes back too.
    assert client.v1.financial_connections.accounts.retrieve(account["id"]).status == "active"


def test_errors_are_stripe_errors(client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.financial_connections.accounts.retrieve("fca_doesnotexist")
    assert missing.value.code == "resource_missing"
    assert missing.value.http_status == 404

    with pytest.raises(stripe.InvalidRequestError) as invalid:
        client.v1.financial_connections.sessions.create(params={"permissions": ["payment_method"], "bogus": "x"})
    assert invalid.value.http_status == 400

    wrong_key = stripe.StripeClient("sk_test_wrong", base_addresses={"api": client._requestor.base_addresses["api"]})
    with pytest.raises(stripe.AuthenticationError):
        wrong_key.v1.customers.create(params={"email": "a@example.com"})
