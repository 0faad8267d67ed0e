//! The `tiaojie` binary as an operator uses it: zero-configuration start,
//! graceful shutdown on SIGTERM, `--help`, `user add` with bad and good input.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tiaojie");

#[test]
fn help_documents_every_command_and_setting() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for word in [
        "serve",
        "migrate",
        "seed-demo",
        "user",
        "DATABASE_URL",
        "--log-format",
    ] {
        assert!(help.contains(word), "--help mentions {word}:\n{help}");
    }
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for word in ["TIAOJIE_ADDR", "LEPTOS_SITE_ROOT", "--demo"] {
        assert!(help.contains(word), "serve --help mentions {word}:\n{help}");
    }
}

#[test]
fn zero_configuration_creates_the_sqlite_file_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    // No flags and no DATABASE_URL: only the port is left to the OS, so the
    // test never collides with a server on 3000.
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("TIAOJIE_ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let started = Instant::now();
    let url = loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "server exited before listening"
        );
        if let Some(pos) = line.find("http://") {
            break line[pos..].trim().to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no start-up line"
        );
    };
    assert!(
        dir.path().join("data/tiaojie.db").is_file(),
        "./data/tiaojie.db is created"
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        reqwest::get(format!("{url}/healthz"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful exit, got {exit:?}");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(logs.contains("SIGTERM received"), "{logs}");
}

fn tiaojie(dir: &std::path::Path, args: &[&str], password: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(args)
        .stdin(Stdio::null());
    match password {
        Some(p) => cmd.env("TIAOJIE_PASSWORD", p),
        None => cmd.env_remove("TIAOJIE_PASSWORD"),
    };
    cmd.output().unwrap()
}

#[test]
fn user_add_checks_every_field_and_stores_nothing_on_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(tiaojie(dir.path(), &["seed-demo"], None).status.success());
    let good = [
        "user",
        "add",
        "--phone",
        "13712345678",
        "--name",
        "张调解",
        "--unit",
        "532301100",
        "--role",
        "judicial_staff",
    ];

    let mut bad_phone = good;
    bad_phone[3] = "12345";
    let out = tiaojie(dir.path(), &bad_phone, Some("secret-pass"));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--phone"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut bad_unit = good;
    bad_unit[7] = "999";
    let out = tiaojie(dir.path(), &bad_unit, Some("secret-pass"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--unit"));

    let out = tiaojie(dir.path(), &good, Some("short"));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("8"),
        "the rule is named"
    );

    let out = tiaojie(dir.path(), &good, Some("secret-pass"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("鹿城镇"));

    let out = tiaojie(dir.path(), &good, Some("secret-pass"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    // exactly one person with that phone: the failed attempts stored nothing
    let rt = tokio::runtime::Runtime::new().unwrap();
    let people = rt.block_on(async {
        let args = tiaojie_server::config::DatabaseArgs {
            database_url: format!("sqlite://{}", dir.path().join("data/tiaojie.db").display()),
            db_max_connections: 1,
        };
        let db = tiaojie_server::db::Db::connect(&args).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM person WHERE phone = '13712345678'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        db.close().await;
        n
    });
    assert_eq!(people, 1);
}
