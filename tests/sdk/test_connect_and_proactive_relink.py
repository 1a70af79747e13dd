"""Connect and proactive relink through the official `stripe` Python SDK: connected accounts,
the `stripe_account` request option scoping every call, the payouts flow ending in an external
account, and connections that announce the date they will stop working."""

import pytest
import stripe

# The same sandbox fixture and helpers as the seeds' flows (a sandbox of this module's own).
from test_stripe_python import (  # noqa: F401  (pytest fixtures are used by name)
    PREVIEW,
    SECRET_KEY,
    WebhookReceiver,
    call_test_helper,
    client,
    origin,
)

GA = "2026-10-28.endive"
DAY = 24 * 60 * 60


def advance_clock(client, seconds):
    return call_test_helper(client, "/v1/test_helpers/clock", seconds=seconds)


def sandbox_now(client):
    return client.deserialize(client.raw_request("get", "/v1/test_helpers/clock"), api_mode="V1")["now"]


def connected_account(client, email="jenny.rosen@example.com"):
    return client.v1.accounts.create(params={"email": email, "type": "custom", "country": "US"})


def test_connected_accounts_have_stripes_account_shape(client):
    account = connected_account(client, "pat@example.com")
    assert isinstance(account, stripe.Account)
    assert account.id.startswith("acct_")
    assert account.email == "pat@example.com"
    assert account.type == "custom"
    assert (account.charges_enabled, account.details_submitted, account.payouts_enabled) == (False, False, False)
    assert client.v1.accounts.retrieve(account.id).id == account.id
    with pytest.raises(stripe.PermissionError) as unknown:
        client.v1.accounts.retrieve("acct_nobody")
    # The SDK's PermissionError leaves `code` unset; the body has it.
    assert unknown.value.json_body["error"]["code"] == "account_invalid"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.accounts.create(params={"type": "custom"})
    assert missing.value.code == "parameter_missing"


def test_stripe_account_scopes_every_request_to_that_accounts_objects(client, origin):
    a = connected_account(client, "a@example.com").id
    b = connected_account(client, "b@example.com").id
    as_a = {"stripe_account": a}
    customer = client.v1.customers.create(params={"email": "jane@example.com"}, options=as_a)
    assert client.v1.customers.retrieve(customer.id, options=as_a).id == customer.id
    # The same ID is simply not there for another account, or for the platform.
    for other in [{"stripe_account": b}, {}]:
        with pytest.raises(stripe.InvalidRequestError) as missing:
            client.v1.customers.retrieve(customer.id, options=other)
        assert missing.value.code == "resource_missing"
        assert missing.value.http_status == 404

    # A client made for the connected account acts for it on every call, test helpers included.
    client_a = stripe.StripeClient(SECRET_KEY, base_addresses={"api": origin}, stripe_version=PREVIEW, stripe_account=a)
    session = client_a.v1.financial_connections.sessions.create(
        params={"account_holder": {"type": "customer", "customer": customer.id}, "permissions": ["payment_method"]}
    )
    done = call_test_helper(client_a, f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete", accounts=["6789"])
    linked = done["accounts"]["data"][0]["id"]
    assert client_a.v1.financial_connections.accounts.retrieve(linked).id == linked
    assert [a.id for a in client_a.v1.financial_connections.accounts.list().data] == [linked]
    with pytest.raises(stripe.InvalidRequestError) as elsewhere:
        client.v1.financial_connections.accounts.retrieve(linked, options={"stripe_account": b})
    assert elsewhere.value.code == "resource_missing"
    # stripe-node 23 also sends Stripe-Context; the sandbox reads it alike.
    assert client.v1.financial_connections.accounts.retrieve(linked, options={"stripe_context": a}).id == linked

    with pytest.raises(stripe.PermissionError) as unknown:
        client.v1.customers.retrieve(customer.id, options={"stripe_account": "acct_nobody"})
    assert unknown.value.json_body["error"]["code"] == "account_invalid"
    assert unknown.value.http_status == 403


def test_connect_payouts_flow_ends_with_the_token_as_an_external_account(client):
    account = connected_account(client, "payee@example.com")
    session = client.v1.financial_connections.sessions.create(
        params={"account_holder": {"type": "account", "account": account.id}, "permissions": ["payment_method"]}
    )
    assert session.account_holder.type == "account"
    assert session.account_holder.account == account.id
    done = call_test_helper(client, f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete", accounts=["6789"])
    fca = client.v1.financial_connections.accounts.retrieve(done["accounts"]["data"][0]["id"])
    assert fca.account_holder.to_dict() == {"type": "account", "account": account.id}

    # As the seeds' payouts flow: an outbound SetupIntent confirmed at once (no customer: the
    # holder is the connected account), then a bank account token from its payment method.
    intent = client.v1.setup_intents.create(
        params={
            "flow_directions": ["outbound"],
            "payment_method_types": ["us_bank_account"],
            "confirm": True,
            "payment_method_data": {
                "type": "us_bank_account",
                "us_bank_account": {"financial_connections_account": fca.id},
                "billing_details": {"name": "Pat Payee"},
            },
        }
    )
    assert intent.status == "succeeded"
    token = client.v1.tokens.create(params={"bank_account": {"payment_method": intent.payment_method}})
    assert token.id.startswith("btok_")
    assert token.used is False

    external = client.v1.accounts.external_accounts.create(account.id, params={"external_account": token.id})
    assert isinstance(external, stripe.BankAccount)
    assert external.id.startswith("ba_")
    assert external.account == account.id
    assert external.last4 == "6789"
    assert external.account_holder_name == "Pat Payee"
    retrieved = client.v1.accounts.retrieve(account.id)
    assert retrieved.payouts_enabled is True
    assert [ba.id for ba in retrieved.external_accounts.data] == [external.id]
    assert [ba.id for ba in client.v1.accounts.external_accounts.list(account.id).data] == [external.id]

    with pytest.raises(stripe.InvalidRequestError) as spent:
        client.v1.accounts.external_accounts.create(account.id, params={"external_account": token.id})
    assert spent.value.code == "token_already_used"


def test_hosted_relink_emails_a_connected_account_holder(client):
    account = connected_account(client, "jenny.rosen@example.com")
    session = client.v1.financial_connections.sessions.create(
        params={"account_holder": {"type": "account", "account": account.id}, "permissions": ["payment_method"]}
    )
    done = call_test_helper(
        client,
        f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete",
        institution="Inactive accounts",
        accounts=["6789"],
    )
    fca = done["accounts"]["data"][0]
    client.v1.financial_connections.sessions.create(
        params={
            "account_holder": {"type": "account", "account": account.id},
            "permissions": ["payment_method"],
            "relink_options": {"authorization": fca["authorization"], "account": fca["id"]},
            "ui_mode": "hosted",
            "hosted": {"delivery_method": "email"},
        }
    )
    emails = client.deserialize(client.raw_request("get", "/v1/test_helpers/emails"), api_mode="V1")["data"]
    sent = [e for e in emails if e["financial_connections_account"] == fca["id"]]
    assert [e["to"] for e in sent] == ["jenny.rosen@example.com"]


def expiring_link(client, customer):
    session = client.v1.financial_connections.sessions.create(
        params={
            "account_holder": {"type": "customer", "customer": customer.id},
            "permissions": ["payment_method", "balances"],
        }
    )
    done = call_test_helper(
        client,
        f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete",
        institution="Expiring Consent",
        accounts=["6789"],
    )
    return client.v1.financial_connections.accounts.retrieve(done["accounts"]["data"][0]["id"])


PROACTIVE_EVENTS = [
    "financial_connections.account.upcoming_deactivation",
    "financial_connections.account.expected_deactivation_date_updated",
    "financial_connections.authorization.upcoming_deactivation",
    "financial_connections.authorization.expected_deactivation_date_updated",
    "financial_connections.account.deactivated",
]


def received(receiver, endpoint, count):
    deliveries = receiver.wait_for(count)
    return [stripe.Webhook.construct_event(body.decode(), signature, endpoint.secret) for body, signature in deliveries]


def test_proactive_relink_through_ga_webhooks(client):
    customer = client.v1.customers.create(params={"email": "jenny.rosen@example.com", "name": "Jenny Rosen"})
    receiver = WebhookReceiver()
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": PROACTIVE_EVENTS, "api_version": GA}
    )
    try:
        linked_at = sandbox_now(client)
        account = expiring_link(client, customer)
        active = account.status_details.active
        assert (active.action, active.cause) == ("relink_required", "access_expired")
        assert abs(active.expected_deactivation_date - (linked_at + 14 * DAY)) <= 2
        ga = client.v1.financial_connections.accounts.retrieve(account.id, options={"stripe_version": GA})
        assert ga.status_details.active.expected_deactivation_date == active.expected_deactivation_date
        assert "authorization" not in ga

        # A week before the date: one notice for the account, one for its authorization.
        advance_clock(client, 7 * DAY + 60)
        events = received(receiver, endpoint, 2)
        types = sorted(e.type for e in events)
        assert types == [
            "financial_connections.account.upcoming_deactivation",
            "financial_connections.authorization.upcoming_deactivation",
        ]
        for event in events:
            assert event.api_version == GA
            details = event.data.object.status_details
            # GA payloads carry `active` (GA since endive) but never the preview-only `inactive`.
            assert details.active.expected_deactivation_date == active.expected_deactivation_date
            assert "inactive" not in details
        authorization = next(e for e in events if e.type.startswith("financial_connections.authorization")).data.object
        assert authorization.object == "financial_connections.authorization"
        assert "account_holder" not in authorization

        # Relinking before the date keeps the account working and moves the date.
        relink = client.v1.financial_connections.sessions.create(
            params={
                "account_holder": {"type": "customer", "customer": customer.id},
                "permissions": ["payment_method", "balances"],
                "relink_options": {"authorization": account.authorization, "account": account.id},
            }
        )
        done = call_test_helper(client, f"/v1/test_helpers/financial_connections/sessions/{relink.id}/complete", accounts=["6789"])
        assert done["relink_result"]["account"] == account.id
        relinked = client.v1.financial_connections.accounts.retrieve(account.id)
        assert relinked.status == "active"
        moved = relinked.status_details.active.expected_deactivation_date
        assert moved > active.expected_deactivation_date
        events = received(receiver, endpoint, 4)[2:]
        assert sorted(e.type for e in events) == [
            "financial_connections.account.expected_deactivation_date_updated",
            "financial_connections.authorization.expected_deactivation_date_updated",
        ]
        updated = next(e for e in events if e.type.startswith("financial_connections.account"))
        previous = updated.data.previous_attributes.status_details.active
        assert previous.expected_deactivation_date == active.expected_deactivation_date
        assert updated.data.object.status_details.active.expected_deactivation_date == moved

        # Past the new date: inactive, with the usual deactivated event (no status_details in GA).
        advance_clock(client, moved - sandbox_now(client) + 60)
        events = received(receiver, endpoint, 5)[4:]
        deactivated = next(e for e in events if e.type == "financial_connections.account.deactivated")
        assert deactivated.data.object.status == "inactive"
        assert "status_details" not in deactivated.data.object
        assert deactivated.data.previous_attributes.status_details.active.expected_deactivation_date == moved
        inactive = client.v1.financial_connections.accounts.retrieve(account.id)
        assert inactive.status_details.inactive.to_dict() == {"action": "relink_required", "cause": "access_expired"}
        assert "active" not in inactive.status_details
    finally:
        client.v1.webhook_endpoints.delete(endpoint.id)
        receiver.close()


def test_the_test_helper_schedules_a_deactivation_for_any_authorization(client):
    customer = client.v1.customers.create(params={"email": "jenny.rosen@example.com"})
    session = client.v1.financial_connections.sessions.create(
        params={"account_holder": {"type": "customer", "customer": customer.id}, "permissions": ["payment_method"]}
    )
    done = call_test_helper(
        client, f"/v1/test_helpers/financial_connections/sessions/{session.id}/complete", institution="Sandbox Bank", accounts=["6789"]
    )
    account = done["accounts"]["data"][0]
    at = sandbox_now(client) + 3 * DAY
    authorization = call_test_helper(
        client,
        f"/v1/test_helpers/financial_connections/authorizations/{account['authorization']}/schedule_deactivation",
        expected_deactivation_date=at,
        cause="institution_requirement",
    )
    assert authorization["status_details"]["active"]["expected_deactivation_date"] == at
    retrieved = client.v1.financial_connections.accounts.retrieve(account["id"])
    assert retrieved.status_details.active.cause == "institution_requirement"
    # Three days away is inside the week's notice: announced at once.
    notices = client.v1.events.list(params={"type": "financial_connections.account.upcoming_deactivation"})
    assert account["id"] in [e.data.object.id for e in notices.data]
    # Cleared with an empty value.
    call_test_helper(
        client,
        f"/v1/test_helpers/financial_connections/authorizations/{account['authorization']}/schedule_deactivation",
        expected_deactivation_date="",
    )
    assert "active" not in client.v1.financial_connections.accounts.retrieve(account["id"]).status_details
