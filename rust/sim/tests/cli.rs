//! The `mfa-sim` command: first line is the URL, no password is ever printed, bad
//! arguments fail with a clear message, a directory file extends the demo users.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn sim(args: &[&str]) -> (std::process::Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mfa-sim"))
        .args(args)
        .arg("--exit-on-stdin-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "mfa-sim exited early: {lines:?}"
        );
        lines.push(line.trim_end().to_string());
        if line.trim_end() == "ready" {
            break;
        }
    }
    (child, lines)
}

fn stop(mut child: std::process::Child) {
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "exits cleanly when stdin closes: {status}"
    );
}

#[test]
fn prints_the_url_first_and_never_a_password() {
    let (child, lines) = sim(&[
        "--credential",
        "svc-mim:Very-Secret-1",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert!(
        lines[0].starts_with("https://127.0.0.1:")
            && lines[0].ends_with("/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx"),
        "{lines:?}"
    );
    assert!(lines[1].starts_with("certificate-sha256: ") && lines[1].len() == 20 + 64);
    assert!(lines.iter().any(|l| l.contains("svc-mim")));
    assert!(lines.iter().all(|l| !l.contains("Very-Secret-1")));
    stop(child);
    let (child, lines) = sim(&["--http"]);
    assert!(lines[0].starts_with("http://"));
    assert!(
        lines.iter().all(|l| !l.contains(mfa_sim::DEMO_PASSWORD)),
        "{lines:?}"
    );
    stop(child);
}

/// One `connection:` line per provider served, each a configuration the engine accepts;
/// the demo secrets' values only with `--connection-secrets`.
#[test]
fn prints_a_ready_connection_per_provider_and_secrets_only_when_asked() {
    let connections = |lines: &[String]| -> Vec<serde_json::Value> {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix("connection: "))
            .map(|j| serde_json::from_str(j).unwrap())
            .collect()
    };
    let (child, lines) = sim(&["--serve", "radius"]);
    let plain = connections(&lines);
    let mut providers: Vec<&str> = plain
        .iter()
        .map(|c| c["config"]["provider"].as_str().unwrap())
        .collect();
    providers.sort_unstable();
    assert_eq!(
        providers,
        ["duo", "mfaserver", "okta", "privacyidea", "radius"]
    );
    for c in &plain {
        for (name, value) in c["secrets"].as_object().unwrap() {
            assert!(
                value.is_null(),
                "{name} printed without --connection-secrets"
            );
        }
    }
    for secret in [
        mfa_sim::DEMO_PASSWORD,
        mfa_sim::duo::DEMO_SECRET_KEY,
        mfa_sim::okta::DEMO_API_TOKEN,
        mfa_sim::radius::DEMO_RADIUS_SECRET,
    ] {
        assert!(lines.iter().all(|l| !l.contains(secret)), "{lines:?}");
    }
    stop(child);
    let (child, lines) = sim(&["--connection-secrets"]);
    let shown = connections(&lines);
    let pi = shown
        .iter()
        .find(|c| c["config"]["provider"] == "privacyidea")
        .unwrap();
    assert_eq!(pi["secrets"]["basicPassword"], mfa_sim::DEMO_PASSWORD);
    assert_eq!(pi["config"]["realm"], "contoso");
    assert!(shown.iter().all(|c| c["config"]["provider"] != "radius"));
    stop(child);
    let (child, lines) = sim(&["--credential", "svc:Own-Secret-1", "--connection-secrets"]);
    assert!(
        lines.iter().all(|l| !l.contains("Own-Secret-1")),
        "{lines:?}"
    );
    stop(child);
}

#[test]
fn bad_arguments_fail_clearly() {
    for (args, needle) in [
        (&["--addr", "nonsense"][..], "--addr"),
        (&["--credential", "nopassword"][..], "--credential"),
        (&["--no-response-after", "-3"][..], "--no-response-after"),
        (&["--directory", "/nonexistent.json"][..], "--directory"),
        (&["--cert", "x.pem"][..], "--cert and --key"),
        (&["--bogus"][..], "unknown argument"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_mfa-sim"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn a_directory_file_extends_the_demo_users() {
    let dir = std::env::temp_dir().join(format!("mfa-sim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.json");
    let mut f = std::fs::File::create(&file).unwrap();
    f.write_all(
        br#"{"users":[{"userName":"dave@contoso.com","answer":"deny","delaySeconds":0.1}]}"#,
    )
    .unwrap();
    let d = mfa_sim::Directory::demo()
        .load(file.to_str().unwrap())
        .unwrap();
    assert_eq!(
        d.get("DAVE@contoso.com").unwrap().answer,
        mfa_sim::Answer::Deny
    );
    assert!(d.get("alice@contoso.com").is_some());
    std::fs::write(
        &file,
        br#"{"replace":true,"users":[{"userName":"dave@contoso.com","answer":"approve"}]}"#,
    )
    .unwrap();
    let d = mfa_sim::Directory::demo()
        .load(file.to_str().unwrap())
        .unwrap();
    assert!(d.get("alice@contoso.com").is_none());
    std::fs::write(&file, br#"{"users":[{"userName":"x","answer":"maybe"}]}"#).unwrap();
    assert!(mfa_sim::Directory::demo()
        .load(file.to_str().unwrap())
        .unwrap_err()
        .contains("maybe"));
}

#[test]
fn a_directory_file_saved_with_a_utf8_bom_loads() {
    // Windows PowerShell 5.1's `Set-Content -Encoding UTF8` writes one; a second one is refused.
    let dir = std::env::temp_dir().join(format!("mfa-sim-bom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.json");
    let json = r#"{"users":[{"userName":"dave@contoso.com","answer":"deny"}]}"#;
    std::fs::write(&file, format!("\u{feff}{json}")).unwrap();
    let d = mfa_sim::Directory::demo()
        .load(file.to_str().unwrap())
        .unwrap();
    assert_eq!(
        d.get("dave@contoso.com").unwrap().answer,
        mfa_sim::Answer::Deny
    );
    std::fs::write(&file, format!("\u{feff}\u{feff}{json}")).unwrap();
    assert!(mfa_sim::Directory::demo()
        .load(file.to_str().unwrap())
        .unwrap_err()
        .contains("--directory"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--directory -`: one line of JSON on standard input (BOM allowed, as .NET Framework
/// writes one), then standard input stays open for `--exit-on-stdin-eof`.
fn sim_with_stdin_directory(line: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mfa-sim"))
        .args(["--directory", "-", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(line).unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = String::new();
    loop {
        let mut l = String::new();
        if out.read_line(&mut l).unwrap() == 0 || l.trim_end() == "ready" {
            lines.push_str(&l);
            break;
        }
        lines.push_str(&l);
    }
    drop(stdin); // ends a running simulator
    let mut o = child.wait_with_output().unwrap();
    o.stdout = lines.into_bytes();
    o
}

#[test]
fn a_directory_on_standard_input_scripts_users_and_refuses_a_duplicate() {
    let o = sim_with_stdin_directory(
        "\u{feff}{\"users\":[{\"userName\":\"alice@contoso.com\",\"answer\":\"deny\",\"delaySeconds\":0}]}\n"
            .as_bytes(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).ends_with("ready\n"));
    let o = sim_with_stdin_directory(
        br#"{"users":[{"userName":"alice@contoso.com","answer":"deny"},{"userName":"ALICE@contoso.com","answer":"approve"}]}
"#,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--directory -") && err.contains("listed twice"),
        "{err}"
    );
    let o = sim_with_stdin_directory(b"\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no line of JSON"));
}

#[test]
fn a_scripted_user_answers_the_same_on_every_provider_only_when_portable() {
    let d = mfa_sim::Directory::demo()
        .apply(br#"{"users":[{"userName":"Zed@contoso.com","answer":"fraud"},{"userName":"f@contoso.com","answer":"soapFault"}]}"#)
        .unwrap();
    assert_eq!(
        d.scripted("zed@CONTOSO.com").unwrap().answer,
        mfa_sim::Answer::Fraud
    );
    assert!(
        d.scripted("f@contoso.com").is_none(),
        "a SOAP fault is MFA Server's only"
    );
    assert!(d.get("f@contoso.com").is_some());
    assert!(
        d.scripted("alice@contoso.com").is_none(),
        "the built-in demo users keep each provider's own behaviour"
    );
    assert_eq!(d.scripted_names(), ["f@contoso.com", "zed@contoso.com"]);
}
