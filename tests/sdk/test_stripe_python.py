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
        # A sandbox extension: the bank is down during this attempt.
        ("institution_down", [], "other"),
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


def test_the_sdks_own_ga_version_gets_stripes_ga_shapes(origin):
    """stripe-python pins a GA release (as every official SDK does): the sandbox must know it,
    and render the properties Stripe's GA objects always carry."""
    ga = stripe.StripeClient(SECRET_KEY, base_addresses={"api": origin})
    customer = ga.v1.customers.create(params={"email": "jenny.rosen@example.com"})
    assert (customer.balance, customer.default_source, customer.invoice_settings.footer) == (0, None, None)
    session = ga.v1.financial_connections.sessions.create(
        params={"account_holder": {"type": "customer", "customer": customer.id}, "permissions": ["payment_method"]}
    )
    assert session.client_secret.startswith("fcsess_client_secret_")
    assert "relink_result" not in session and "return_url" not in session and "filters" not in session
    retrieved = ga.v1.financial_connections.sessions.retrieve(session.id)
    assert retrieved.client_secret is None, "only the create response shows the client secret"

    for bad in ["lol", "2026-02-30", "2099-12-31.acacia"]:
        wrong = stripe.StripeClient(SECRET_KEY, base_addresses={"api": origin}, stripe_version=bad)
        with pytest.raises(stripe.InvalidRequestError) as refused:
            wrong.v1.customers.retrieve(customer.id)
        assert refused.value.http_status == 400
        assert str(refused.value.user_message).startswith(f"Invalid Stripe API version: {bad}.")


def test_payments_setup_intent_with_mandate_then_payouts_token(client, customer):
    account = link_account(client, customer)
    intent = client.v1.setup_intents.create(
        params={
            "customer": customer.id,
            "payment_method_types": ["us_bank_account"],
            "payment_method_data": {
                "type": "us_bank_account",
                "us_bank_account": {"financial_connections_account": account["id"]},
                "billing_details": {"name": "Jenny Rosen"},
            },
        }
    )
    assert intent.status == "requires_confirmation"
    assert intent.client_secret.startswith(f"{intent.id}_secret_")

    confirmed = client.v1.setup_intents.confirm(
        intent.id,
        params={
            "mandate_data": {
                "customer_acceptance": {
                    "type": "online",
                    "online": {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"},
                }
            }
        },
    )
    assert confirmed.status == "succeeded"
    assert confirmed.mandate.startswith("mandate_")
    payment_method = client.v1.payment_methods.retrieve(confirmed.payment_method)
    assert payment_method.customer == customer.id
    assert payment_method.us_bank_account.financial_connections_account == account["id"]
    assert payment_method.us_bank_account.last4 == account["last4"]

    # Payouts, as in the seeds: an outbound SetupIntent confirmed at creation, then a token.
    outbound = client.v1.setup_intents.create(
        params={
            "customer": customer.id,
            "flow_directions": ["outbound"],
            "payment_method_types": ["us_bank_account"],
            "confirm": True,
            "payment_method_data": {
                "type": "us_bank_account",
                "us_bank_account": {"financial_connections_account": account["id"]},
                "billing_details": {"name": "Jenny Rosen"},
            },
        }
    )
    assert outbound.status == "succeeded"
    token = client.v1.tokens.create(
        params={"customer": customer.id, "bank_account": {"payment_method": outbound.payment_method}}
    )
    assert token.id.startswith("btok_")


def test_an_inactive_account_cannot_be_confirmed(client, customer):
    account = link_account(client, customer)
    call_test_helper(client, f"/v1/test_helpers/financial_connections/accounts/{account['id']}/deactivate", cause="access_expired")
    with pytest.raises(stripe.StripeError) as failure:
        client.v1.setup_intents.create(
            params={
                "customer": customer.id,
                "payment_method_types": ["us_bank_account"],
                "confirm": True,
                "flow_directions": ["outbound"],
                "payment_method_data": {
                    "type": "us_bank_account",
                    "us_bank_account": {"financial_connections_account": account["id"]},
                    "billing_details": {"name": "Jenny Rosen"},
                },
            }
        )
    assert failure.value.code == "financial_connections_account_inactive"


def test_idempotent_requests_replay(client):
    first = client.v1.customers.create(params={"email": "once@example.com"}, options={"idempotency_key": "key-once"})
    again = client.v1.customers.create(params={"email": "once@example.com"}, options={"idempotency_key": "key-once"})
    assert again.id == first.id
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(params={"email": "other@example.com"}, options={"idempotency_key": "key-once"})


class WebhookReceiver:
    """A loopback HTTP endpoint that records what the sandbox delivers."""

    def __init__(self):
        import http.server
        import threading

        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers["Stripe-Signature"]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=15.0):
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received

    def close(self):
        self.server.shutdown()


@pytest.mark.parametrize("api_version", [PREVIEW, "2025-03-31.basil"])
def test_webhooks_are_signed_like_stripe_and_rendered_in_the_endpoints_version(client, customer, api_version):
    receiver = WebhookReceiver()
    try:
        endpoint = client.v1.webhook_endpoints.create(
            params={
                "url": receiver.url,
                "enabled_events": ["financial_connections.account.deactivated"],
                "api_version": api_version,
            }
        )
        assert endpoint.secret.startswith("whsec_")
        account = link_account(client, customer)
        call_test_helper(client, f"/v1/test_helpers/financial_connections/accounts/{account['id']}/deactivate", cause="access_expired")
        deliveries = receiver.wait_for(1)
        assert deliveries, "the deactivation was delivered"
        events = [
            stripe.Webhook.construct_event(body.decode(), signature, endpoint.secret) for body, signature in deliveries
        ]
        event = next(e for e in events if e.data.object.id == account["id"])
        assert event.type == "financial_connections.account.deactivated"
        assert event.api_version == api_version
        inactive = event.data.object
        if api_version.endswith(".preview"):
            assert inactive.status_details.inactive.action == "relink_required"
        else:
            # Preview-only fields stay out of GA payloads, as the seeds' webhook sample expects.
            assert "status_details" not in inactive
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(deliveries[0][0].decode(), deliveries[0][1], "whsec_wrong")
    finally:
        client.v1.webhook_endpoints.delete(endpoint.id) if "endpoint" in locals() else None
        receiver.close()
