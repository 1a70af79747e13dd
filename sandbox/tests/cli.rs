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
