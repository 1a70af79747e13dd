"""The sandbox's throughput, latency, memory and start-up, printed as a table (`./dev bench`).

Load comes from wrk (throughput) and hey (latency at a fixed rate) on loopback, against the
release build with the durable default: a SQLite file in WAL mode. The same customer requests
also run against localstripe, a Python Stripe mock, for a ratio.
"""

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = os.environ.get("RELINK_SANDBOX_BIN", str(ROOT / "target" / "release" / "relink-sandbox"))
SECRET = "sk_test_relinksandbox000000000000"
AUTH = {"Authorization": f"Bearer {SECRET}"}
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "100000"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(origin, method, path, params=None, headers=AUTH):
    body = urllib.parse.urlencode(params or {}, doseq=True).encode() if method == "POST" else None
    request = urllib.request.Request(f"{origin}{path}", data=body, method=method, headers=headers)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def wait_healthy(origin, path="/healthz", timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{origin}{path}") as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.002)


def start_sandbox(db, *extra):
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [SANDBOX, "--addr", f"127.0.0.1:{port}", "--db", str(db), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": "error"},
    )
    wait_healthy(origin)
    return process, origin, time.perf_counter() - started


def wrk(url, script=None, threads=1, connections=32):
    """Throughput with wrk on one thread, leaving the other core to the sandbox."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{SECONDS}s", "-H", f"Authorization: Bearer {SECRET}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, int(errors.group(1)) if errors else 0


def p99_at_rate(url, rate=1000):
    workers = 10
    output = subprocess.run(
        ["hey", "-z", f"{SECONDS}s", "-c", str(workers), "-q", str(rate // workers), "-H", f"Authorization: Bearer {SECRET}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(re.search(r"99%% in ([\d.]+) secs".replace("%%", "%"), output).group(1)) * 1000


def rss_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def post_script(directory, path, body):
    script = Path(directory) / f"post{abs(hash(path))}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f'wrk.body = "{body}"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    )
    return str(script)


def start_localstripe(binary):
    """localstripe on a free port; a port can still be held by the load generator's closed
    connections, so a start that dies at once is retried on another."""
    for _ in range(5):
        port = free_port()
        process = subprocess.Popen([binary, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        origin = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            try:
                wait_healthy(origin, "/v1/customers", timeout=0.5)
                return process, origin
            except OSError:
                continue
        process.kill()
        process.wait()
    return None, None


def localstripe_rates(directory):
    """Customers create + retrieve against localstripe, or None when it cannot run here."""
    binary = shutil.which("localstripe", path=str(ROOT / "target" / "py" / "bin"))
    if not binary:
        return None
    process, origin = start_localstripe(binary)
    if not process:
        return None  # a comparison, not the subject: report it skipped rather than fail
    try:
        customer = call(origin, "POST", "/v1/customers", {"email": "bench@example.com"})
        create, _ = wrk(f"{origin}/v1/customers", post_script(directory, "customers", "email=bench%40example.com"))
        get, _ = wrk(f"{origin}/v1/customers/{customer['id']}")
        return create, get
    finally:
        process.terminate()
        process.wait()


def main():
    with tempfile.TemporaryDirectory() as directory:
        db = Path(directory) / "bench.db"
        startups = []
        for _ in range(5):
            process, origin, startup = start_sandbox(db)
            startups.append(startup * 1000)
            process.terminate()
            process.wait()
        process, origin, _ = start_sandbox(db)
        try:
            customer = call(origin, "POST", "/v1/customers", {"email": "bench@example.com", "name": "Bench"})
            session = call(
                origin,
                "POST",
                "/v1/financial_connections/sessions",
                {"account_holder[type]": "customer", "account_holder[customer]": customer["id"], "permissions[]": "payment_method"},
            )
            done = call(
                origin,
                "POST",
                f"/v1/test_helpers/financial_connections/sessions/{session['id']}/complete",
                {"institution": "Sandbox Bank", "accounts[]": "6789"},
            )
            account = done["accounts"]["data"][0]["id"]

            get_rate, get_errors = wrk(f"{origin}/v1/financial_connections/accounts/{account}")
            session_body = f"account_holder[type]=customer&account_holder[customer]={customer['id']}&permissions[]=payment_method"
            create_rate, create_errors = wrk(
                f"{origin}/v1/financial_connections/sessions",
                post_script(directory, "sessions", session_body.replace("[", "%5B").replace("]", "%5D")),
            )
            p99 = p99_at_rate(f"{origin}/v1/financial_connections/accounts/{account}")
            customer_create, _ = wrk(f"{origin}/v1/customers", post_script(directory, "customers", "email=bench%40example.com"))
            customer_get, _ = wrk(f"{origin}/v1/customers/{customer['id']}")
        finally:
            process.terminate()
            process.wait()

        # Memory while holding many accounts: seed them, then measure a fresh process serving them.
        subprocess.run([SANDBOX, "--db", str(db), "seed", "--accounts", str(ACCOUNTS)], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "error"})
        process, origin, _ = start_sandbox(db)
        try:
            listed = call(origin, "GET", "/v1/financial_connections/accounts?limit=100")
            assert listed["data"], "seeded accounts are served"
            call(origin, "GET", f"/v1/financial_connections/accounts/{account}")
            rss = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait()

        localstripe = localstripe_rates(directory)

    rows = [
        ("GET account", f"{get_rate:,.0f} req/s", "≥ 20,000 req/s", get_rate >= 20_000 and get_errors == 0),
        ("POST session", f"{create_rate:,.0f} req/s", "≥ 5,000 req/s", create_rate >= 5_000 and create_errors == 0),
        ("GET account p99 at 1,000 req/s", f"{p99:.2f} ms", "< 10 ms", p99 < 10),
        (f"RSS holding {ACCOUNTS:,} accounts", f"{rss:.1f} MB", "< 60 MB", rss < 60),
        ("start-up to /healthz (median of 5)", f"{statistics.median(startups):.0f} ms", "< 300 ms", statistics.median(startups) < 300),
    ]
    if localstripe:
        rows.append(("POST customer vs localstripe", f"{customer_create:,.0f} vs {localstripe[0]:,.0f} req/s", "ratio", f"{customer_create / localstripe[0]:.1f}×"))
        rows.append(("GET customer vs localstripe", f"{customer_get:,.0f} vs {localstripe[1]:,.0f} req/s", "ratio", f"{customer_get / localstripe[1]:.1f}×"))
    else:
        rows.append(("localstripe comparison", "localstripe missing or did not start", "", "skipped"))

    print(
        f"\nrelink sandbox (release, SQLite file in WAL mode, {os.cpu_count()} cores shared with "
        f"the load generator: wrk 1 thread x 32 connections, {SECONDS} s per load)"
    )
    widths = [max(len(str(row[i])) for row in rows + [("measure", "measured", "goal", "met")]) for i in range(4)]
    for row in [("measure", "measured", "goal", "met"), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
