"""Faults the sandbox must survive: a webhook endpoint that is down and comes back, the sandbox
killed with SIGKILL in the middle of a delivery and restarted, and fifty concurrent requests
sharing one Idempotency-Key."""

import http.server
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from test_stripe_python import SANDBOX_BIN, SECRET_KEY, free_port

PREVIEW = "2026-04-22.preview"


class Sandbox:
    """A sandbox process on a file database that can be killed and started again."""

    def __init__(self, db):
        self.db = db
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [SANDBOX_BIN, "--addr", f"127.0.0.1:{self.port}", "--db", str(self.db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{self.origin}/healthz"):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the sandbox did not start")
                time.sleep(0.05)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def call(self, method, path, params=None, headers=None):
        body = urllib.parse.urlencode(params or {}, doseq=True).encode() if method == "POST" else None
        request = urllib.request.Request(
            f"{self.origin}{path}",
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {SECRET_KEY}", "Stripe-Version": PREVIEW, **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def ok(self, method, path, params=None):
        status, body = self.call(method, path, params)
        assert status == 200, body
        return body

    def linked_account(self, customer):
        session = self.ok(
            "POST",
            "/v1/financial_connections/sessions",
            {"account_holder[type]": "customer", "account_holder[customer]": customer, "permissions[]": "payment_method"},
        )
        done = self.ok(
            "POST",
            f"/v1/test_helpers/financial_connections/sessions/{session['id']}/complete",
            {"institution": "Sandbox Bank", "accounts[]": "6789"},
        )
        return done["accounts"]["data"][0]["id"]

    def deactivate(self, account):
        self.ok("POST", f"/v1/test_helpers/financial_connections/accounts/{account}/deactivate", {"cause": "access_expired"})

    def advance_clock(self, seconds):
        self.ok("POST", "/v1/test_helpers/clock", {"seconds": seconds})


class Receiver:
    """A webhook endpoint that can be down (500), slow, or fine; records event IDs it accepted."""

    def __init__(self):
        self.down = False
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Event()
        self.accepted = set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.started.set()
                receiver.hold.wait(timeout=30)
                if receiver.down:
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.accepted.add(body["id"])
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.hold.set()
        self.server.shutdown()


def wait_until_delivered(sandbox, receiver, event_ids, timeout=60.0):
    """Advances the sandbox clock past each retry's backoff until every event has arrived."""
    deadline = time.monotonic() + timeout
    while not set(event_ids) <= receiver.accepted:
        assert time.monotonic() < deadline, f"missing {set(event_ids) - receiver.accepted}"
        sandbox.advance_clock(3600)
        time.sleep(1.2)  # the delivery worker wakes every second


def first_attempted_delivery(sandbox, event_id, timeout=20.0):
    """Waits until the delivery worker has tried to send the event (its delivery log has an
    attempt) and returns that log entry: the positive signal that a delivery happened or failed,
    rather than a pause after which nothing is assumed to have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        deliveries = sandbox.ok("GET", f"/v1/test_helpers/events/{event_id}/deliveries")["data"]
        attempted = [log for log in deliveries if log["attempts"]]
        if attempted:
            return attempted[0]
        assert time.monotonic() < deadline, f"no delivery of {event_id} was attempted"
        time.sleep(0.05)


def events_of(sandbox, kind):
    return {event["id"] for event in sandbox.ok("GET", "/v1/events?limit=100")["data"] if event["type"] == kind}


@pytest.fixture
def sandbox(tmp_path):
    sandbox = Sandbox(tmp_path / "faults.db")
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def test_an_endpoint_that_was_down_gets_every_event(sandbox, receiver):
    sandbox.ok("POST", "/v1/webhook_endpoints", {"url": receiver.url, "enabled_events[]": "financial_connections.account.deactivated"})
    customer = sandbox.ok("POST", "/v1/customers", {"email": "jenny.rosen@example.com"})["id"]
    receiver.down = True
    for account in [sandbox.linked_account(customer) for _ in range(5)]:
        sandbox.deactivate(account)
    events = events_of(sandbox, "financial_connections.account.deactivated")
    assert len(events) == 5
    # Each event's delivery log shows the attempt the endpoint refused, and a retry to come.
    for event in events:
        log = first_attempted_delivery(sandbox, event)
        assert [attempt["status"] for attempt in log["attempts"]] == [500], log
        assert log["delivered"] is False and log["next_attempt_at"] is not None, log
    assert receiver.accepted == set(), "nothing is accepted while the endpoint is down"

    receiver.down = False
    wait_until_delivered(sandbox, receiver, events)
    assert len(receiver.accepted) == 5

    # The delivery log tells the story: refused while down, then accepted.
    log = sandbox.ok("GET", f"/v1/test_helpers/events/{sorted(events)[0]}/deliveries")["data"][0]
    assert log["url"] == receiver.url
    assert log["delivered"] is True
    statuses = [attempt["status"] for attempt in log["attempts"]]
    assert statuses[0] == 500 and statuses[-1] == 200, statuses


def test_sigkill_mid_delivery_loses_no_event_and_no_object(sandbox, receiver):
    sandbox.ok("POST", "/v1/webhook_endpoints", {"url": receiver.url, "enabled_events[]": "financial_connections.account.deactivated"})
    customer = sandbox.ok("POST", "/v1/customers", {"email": "jenny.rosen@example.com"})["id"]
    accounts = [sandbox.linked_account(customer) for _ in range(3)]

    receiver.hold.clear()  # the next delivery hangs inside the endpoint…
    for account in accounts:
        sandbox.deactivate(account)
    assert receiver.started.wait(timeout=10), "a delivery began"
    sandbox.kill()  # …and the sandbox dies mid-delivery
    receiver.hold.set()

    sandbox.start()
    for account in accounts:
        assert sandbox.ok("GET", f"/v1/financial_connections/accounts/{account}")["status"] == "inactive"
    assert sandbox.ok("GET", f"/v1/customers/{customer}")["id"] == customer
    wait_until_delivered(sandbox, receiver, events_of(sandbox, "financial_connections.account.deactivated"))
    assert len(receiver.accepted) == 3


def test_fifty_concurrent_requests_with_one_idempotency_key_make_one_object(sandbox):
    def create(_):
        return sandbox.call(
            "POST", "/v1/customers", {"email": "once@example.com"}, headers={"Idempotency-Key": "fifty-at-once"}
        )

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(create, range(50)))
    created = {body["id"] for status, body in results if status == 200}
    conflicts = [body for status, body in results if status == 409]
    assert len(created) == 1, results
    assert all(body["error"]["code"] == "idempotency_key_in_use" for body in conflicts)
    assert all(status in (200, 409) for status, _ in results)
