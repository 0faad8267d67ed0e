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
    assert!(
        !url.ends_with(":3000"),
        "TIAOJIE_ADDR is honoured without a command: {url}"
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
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--unit"));

    let mut wrong_place = good;
    wrong_place[9] = "bureau_finance";
    let out = tiaojie(dir.path(), &wrong_place, Some("secret-pass"));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--role"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = tiaojie(dir.path(), &good, Some("short"));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("至少需要8个字符"),
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
        let db = tiaojie_server::store::Store::connect(&args.database_url, args.db_max_connections)
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM person WHERE phone = '13712345678'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        db.close().await;
        n
    });
    assert_eq!(people, 1);
}

#[test]
fn user_passwd_disable_and_enable_act_on_the_log_in() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        tiaojie(dir.path(), &["seed-demo", "--no-history"], None)
            .status
            .success()
    );
    let url = format!("sqlite://{}", dir.path().join("data/tiaojie.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let log_in = |password: &str| {
        let req = domain::api::LoginRequest {
            phone: "13800000001".into(),
            password: password.into(),
            device_id: domain::DeviceId::new_v7(),
            device_name: "cli test".into(),
        };
        rt.block_on(async {
            let db = tiaojie_server::store::Store::connect(&url, 1)
                .await
                .unwrap();
            let answer = tiaojie_server::service::auth::login(&db, req).await;
            db.close().await;
            answer.map(|_| ()).map_err(|e| e.to_string())
        })
    };
    let run = |args: &[&str], password: Option<&str>| {
        let out = tiaojie(dir.path(), args, password);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(log_in(tiaojie_server::demo::DEMO_PASSWORD), Ok(()));

    // a new password: too short is refused and changes nothing
    let (ok, _, err) = run(&["user", "passwd", "--phone", "13800000001"], Some("short"));
    assert!(!ok && err.contains("至少需要8个字符"), "{err}");
    assert_eq!(log_in(tiaojie_server::demo::DEMO_PASSWORD), Ok(()));
    let (ok, out, err) = run(
        &["user", "passwd", "--phone", "13800000001"],
        Some("a-new-secret"),
    );
    assert!(ok && out.contains("13800000001"), "{err}");
    assert!(
        log_in(tiaojie_server::demo::DEMO_PASSWORD).is_err(),
        "the old password is gone"
    );
    assert_eq!(log_in("a-new-secret"), Ok(()));

    // disabled: the right password is refused as disabled; enabled: let in
    let (ok, _, err) = run(&["user", "disable", "--phone", "13800000001"], None);
    assert!(ok, "{err}");
    assert_eq!(
        log_in("a-new-secret"),
        Err("the account is disabled".into())
    );
    let (ok, _, err) = run(&["user", "enable", "--phone", "13800000001"], None);
    assert!(ok, "{err}");
    assert_eq!(log_in("a-new-secret"), Ok(()));

    // an unknown or malformed number is named
    for phone in ["13700000000", "123"] {
        let (ok, _, err) = run(&["user", "disable", "--phone", phone], None);
        assert!(!ok && err.contains("--phone"), "{phone}: {err}");
    }
}

fn rules(args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .arg("rules")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const CASE_C: &str = r#"{"committee": "village", "closed_on": "2024-05-10", "method": "general", "outcome": "agreed", "sessions": 1, "oral_register": false, "forms": ["application", "acceptance", "investigation", "mediation_record", "agreement", "follow_up"], "archived": true, "recorded": true, "deaths": 0, "disability_grade": null, "independent": true, "special": false, "approved_amount": null}"#;

#[test]
fn rules_eval_answers_every_line_in_order_and_names_bad_fields() {
    let bad = CASE_C.replace("\"village\"", "\"town\"");
    let no_follow_up = CASE_C.replace(", \"follow_up\"", "");
    let early = CASE_C.replace("2024-05-10", "2001-01-01");
    let input = format!("{CASE_C}\n{bad}\n\n{no_follow_up}\nnot json\n{early}\n");
    let (ok, stdout, stderr) = rules(&["eval"], &input);
    assert!(ok, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        5,
        "one output per non-blank input line:\n{stdout}"
    );
    assert_eq!(lines[0]["tier"], "C");
    assert_eq!(lines[0]["amount"], "200.00");
    assert_eq!(lines[0]["rule_set"], "chuxiong-2014");
    assert_eq!(lines[1]["field"], "committee");
    assert!(lines[1]["error"].as_str().unwrap().contains("town"));
    assert_eq!(lines[2]["tier"], serde_json::Value::Null);
    assert_eq!(lines[2]["amount"], "0.00");
    assert_eq!(lines[2]["missing"][0]["code"], "form:follow_up");
    assert!(lines[3]["error"].is_string());
    assert_eq!(lines[4]["field"], "closed_on");
}

#[test]
fn rules_eval_answers_a_line_that_is_not_text_and_goes_on() {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(["rules", "eval"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = b"\xff\xfe not text\n".to_vec();
    input.extend_from_slice(CASE_C.as_bytes());
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(lines[1]["tier"], "C");
}

#[test]
fn rules_eval_uses_a_rule_set_file_and_check_reports_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, shown, _) = rules(&["show"], "");
    assert!(ok);
    let builtin: Vec<serde_json::Value> = serde_json::from_str(&shown).unwrap();
    assert_eq!(builtin.len(), 2);

    // a locality that pays 250 for tier C: a new file, no code change
    let mut local = builtin[1].clone();
    local["id"] = "county-2024".into();
    local["tiers"][2]["amount"] = "250.00".into();
    let file = dir.path().join("county.json");
    std::fs::write(&file, serde_json::to_string(&local).unwrap()).unwrap();
    let (ok, out, err) = rules(&["check", file.to_str().unwrap()], "");
    assert!(ok, "{err}");
    assert!(out.contains("county-2024"));
    let (ok, out, _) = rules(&["eval", "--rules", file.to_str().unwrap()], CASE_C);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["rule_set"].as_str(), v["amount"].as_str()),
        (Some("county-2024"), Some("250.00"))
    );

    local["effective_until"] = "2000-01-01".into();
    local["tiers"][1]["code"] = "E".into();
    std::fs::write(&file, serde_json::to_string(&local).unwrap()).unwrap();
    let (ok, _, err) = rules(&["check", file.to_str().unwrap()], "");
    assert!(!ok);
    assert!(
        err.contains("effective_until") && err.contains("tiers[1].code"),
        "{err}"
    );
}

#[test]
fn sample_cases_are_an_importable_file_of_valid_deterministic_cases() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| tiaojie(dir.path(), args, None);
    let out = run(&["sample-cases", "--cases", "40", "--seed", "7"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bundle: app::records::Bundle = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bundle.format, "tiaojie-unsent");
    assert_eq!(bundle.cases.len(), 40);
    let today = jiff::civil::date(2025, 12, 31);
    assert!(bundle.cases.iter().all(|c| c.check(today).is_empty()));
    let again: app::records::Bundle =
        serde_json::from_slice(&run(&["sample-cases", "--cases", "40", "--seed", "7"]).stdout)
            .unwrap();
    assert!(again.cases == bundle.cases, "the same seed, the same cases");

    let bad = run(&["sample-cases", "--from", "2025-02-30"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--from"),
        "names the flag"
    );
}

#[test]
fn a_real_city_is_bootstrapped_from_a_table_then_its_people_are_added() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    // as WPS saves "CSV" on a Chinese desktop: GBK, Chinese kind names
    let table = "代码,名称,类型,上级代码\n\
        532331,南华县人民调解委员会,市人民调解委员会,\n\
        532331100,龙川镇人民调解委员会,乡(镇)人民调解委员会,532331\n\
        532331100201,岔河村人民调解委员会,村人民调解委员会,532331100\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(table);
    let good = write("units.csv", &gbk);
    let bad = write(
        "bad.csv",
        format!("{table}532331100202,,village,532331100\n532331100203,某村,village,999\n")
            .as_bytes(),
    );

    // a bad table: every problem named by line and column, nothing written
    let out = tiaojie(dir.path(), &["org", "import", "--file", &bad], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第 5 行「名称」"), "{err}");
    assert!(err.contains("第 6 行「上级代码」"), "{err}");
    assert!(err.contains("未导入任何单位"), "{err}");
    // a dry run says what would happen and writes nothing either
    let out = tiaojie(
        dir.path(),
        &["org", "import", "--file", &good, "--dry-run"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("试运行"));
    let out = tiaojie(
        dir.path(),
        &[
            "user",
            "add",
            "--phone",
            "13712345679",
            "--name",
            "杨调解",
            "--unit",
            "532331100201",
            "--role",
            "mediator",
        ],
        Some("secret-pass"),
    );
    assert!(!out.status.success(), "no unit yet");
    // imported; again changes nothing; a renamed unit is renamed
    let out = tiaojie(dir.path(), &["org", "import", "--file", &good], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 个新增"));
    let out = tiaojie(dir.path(), &["org", "import", "--file", &good], None);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("0 个新增 new, 0 个改名 renamed, 3 个不变")
    );
    let renamed = write(
        "renamed.csv",
        table
            .replace("岔河村人民调解委员会", "岔河村委会人民调解委员会")
            .as_bytes(),
    );
    let out = tiaojie(dir.path(), &["org", "import", "--file", &renamed], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 个改名"));
    // its people can now be given their accounts
    let out = tiaojie(
        dir.path(),
        &[
            "user",
            "add",
            "--phone",
            "13712345679",
            "--name",
            "杨调解",
            "--unit",
            "532331100201",
            "--role",
            "mediator",
        ],
        Some("secret-pass"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("岔河村委会"));
}
