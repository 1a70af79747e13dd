//! The binary: flags, start-up errors, the banner, the seed command and graceful shutdown.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_relink-sandbox");

#[test]
fn bad_flags_and_unusable_databases_fail_with_one_line_and_no_panic() {
    let bad_flag = Command::new(BIN).args(["--addr", "nope"]).output().unwrap();
    assert!(!bad_flag.status.success());
    let stderr = String::from_utf8_lossy(&bad_flag.stderr);
    assert!(stderr.contains("--addr"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let bad_db = Command::new(BIN)
        .args([
            "--db",
            "/nonexistent-dir/for/sure/x.db",
            "--addr",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert!(!bad_db.status.success());
    let stderr = String::from_utf8_lossy(&bad_db.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot open database"), "{stderr}");
}

#[test]
fn seed_command_fills_the_database_and_exits() {
    let dir = std::env::temp_dir().join(relink_sandbox::ids::new_id("cli"));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("seed.db");
    let out = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "seed", "--accounts", "12"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("seeded 3 customers with 12 accounts"));
    std::fs::remove_dir_all(&dir).ok();
}

#[cfg(unix)]
#[test]
fn prints_the_banner_serves_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .args(["--db", ":memory:", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let mut rest = String::new();
    for _ in 0..10 {
        stdout.read_line(&mut rest).unwrap();
    }
    assert!(rest.contains("sk_test_relinksandbox000000000000"));
    assert!(rest.contains("pk_test_relinksandbox000000000000"));
    assert!(rest.contains("fcinst_down_bank"));

    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

/// Starts the binary on a free port with `args` and `env`; returns it and its base URL, read
/// from the banner's first line.
#[cfg(unix)]
fn start(args: &[&str], env: &[(&str, &str)]) -> (std::process::Child, String, String) {
    let mut child = Command::new(BIN)
        .args(["--db", ":memory:", "--addr", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sandbox starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut banner = String::new();
    stdout.read_line(&mut banner).expect("the banner");
    let url = banner
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    // The banner ends with the last test institution; the rest of stdout is drained, so that
    // the sandbox never writes to a closed pipe.
    while !banner.contains("fcinst_down_bank") {
        assert!(
            stdout.read_line(&mut banner).expect("the banner") > 0,
            "{banner}"
        );
    }
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    (child, url, banner)
}

/// Sends one HTTP/1.1 request and returns the raw response.
#[cfg(unix)]
fn http(url: &str, request_line: &str, headers: &str) -> String {
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("the sandbox listens");
    let request = format!("{request_line}\r\nHost: x\r\n{headers}Connection: close\r\n\r\n");
    std::io::Write::write_all(&mut stream, request.as_bytes()).expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    response
}

/// Stops the child with SIGTERM once it serves (so that its signal handler is installed) and
/// returns what it wrote to stderr.
#[cfg(unix)]
fn stop(mut child: std::process::Child, url: &str) -> String {
    assert!(http(url, "GET /healthz HTTP/1.1", "").starts_with("HTTP/1.1 200"));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("the sandbox exits");
    assert!(
        status.success(),
        "graceful shutdown exits 0, got {status}: {stderr}"
    );
    stderr
}

#[cfg(unix)]
#[test]
fn debug_logs_never_show_client_secrets_or_tokens() {
    let (child, url, _) = start(
        &[],
        &[("RUST_LOG", "relink_sandbox=debug,tower_http=debug")],
    );
    let auth = "Authorization: Bearer pk_test_relinksandbox000000000000\r\n";
    let secrets = [
        "fcsess_client_secret_LOGSECRET1",
        "seti_1_secret_LOGSECRET2",
        "hrt_LOGSECRET3",
        "sk_test_LOGSECRET4",
    ];
    for request_line in [
        format!(
            "GET /v1/setup_intents/seti_1?client_secret={} HTTP/1.1",
            secrets[1]
        ),
        format!(
            "GET /v1/link_account_sessions/manifest?expand[]=x&client_secret={} HTTP/1.1",
            secrets[0]
        ),
        format!("GET /hosted-relink.html?token={} HTTP/1.1", secrets[2]),
        format!("GET /v1/customers?key={} HTTP/1.1", secrets[3]),
        format!("GET /v1/setup_intents/{}/confirm HTTP/1.1", secrets[1]),
    ] {
        let response = http(&url, &request_line, auth);
        assert!(response.starts_with("HTTP/1.1 "), "{response}");
    }
    let stderr = stop(child, &url);
    assert!(
        stderr.contains("[redacted]"),
        "the request log shows the URIs: {stderr}"
    );
    for secret in secrets {
        let tail = secret.rsplit('_').next().unwrap();
        assert!(!stderr.contains(tail), "{secret} in the log:\n{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn the_banner_masks_a_custom_secret_key_and_shows_the_default() {
    let (child, url, banner) = start(&["--secret-key", "sk_test_mycustomkey98765"], &[]);
    stop(child, &url);
    assert!(banner.contains("sk_test_…8765"), "{banner}");
    assert!(!banner.contains("mycustomkey"), "{banner}");

    let (child, url, banner) = start(&[], &[("RELINK_SECRET_KEY", "sk_test_fromtheenv4321")]);
    stop(child, &url);
    assert!(banner.contains("sk_test_…4321"), "{banner}");
    assert!(!banner.contains("fromtheenv"), "{banner}");

    let (child, url, banner) = start(&[], &[]);
    stop(child, &url);
    assert!(
        banner.contains("sk_test_relinksandbox000000000000"),
        "{banner}"
    );
}
