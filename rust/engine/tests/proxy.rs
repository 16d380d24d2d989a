//! Explicit outbound proxies through a real forward proxy (Debian's tinyproxy, started on
//! loopback by this test): HTTPS goes through CONNECT, the approval works for both
//! providers, proxy credentials work and never reach any output, and `system` follows
//! the environment. Where tinyproxy is missing the test says so in one line and passes,
//! except on Linux under CI=true (.ci/run installs it there; Windows and macOS have no
//! tinyproxy package, so their CI skips these tests).

mod common;
use common::*;
use mfa_engine::{Client, Secrets, Status};
use std::io::Read;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

struct Tinyproxy {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a missing tinyproxy means: an error on Linux under CI=true (where .ci/run installs
/// it), else the one line that says the proxy tests were skipped and why.
fn missing_tinyproxy(os: &str, ci: bool) -> Result<String, String> {
    match (os, ci) {
        ("linux", true) => {
            Err("tinyproxy is required under CI=true on Linux (.ci/run installs it)".into())
        }
        ("linux", false) => {
            Ok("proxy tests skipped: tinyproxy is not installed (apt install tinyproxy)".into())
        }
        (other, _) => Ok(format!(
            "proxy tests skipped: no tinyproxy on {other} (the Linux CI runs them)"
        )),
    }
}

#[test]
fn a_missing_tinyproxy_is_required_only_on_linux_ci() {
    assert!(missing_tinyproxy("linux", true).is_err());
    for (os, ci) in [
        ("linux", false),
        ("windows", true),
        ("windows", false),
        ("macos", true),
    ] {
        let line = missing_tinyproxy(os, ci).expect("skipped, not failed");
        assert!(line.starts_with("proxy tests skipped: "), "{line}");
        assert!(!line.contains('\n'), "one line: {line}");
    }
}

impl Tinyproxy {
    fn start(name: &str, basic_auth: Option<(&str, &str)>) -> Option<Self> {
        let binary = [
            "/usr/bin/tinyproxy",
            "/usr/sbin/tinyproxy",
            "/usr/local/bin/tinyproxy",
        ]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
        let Some(binary) = binary else {
            let ci = std::env::var("CI").as_deref() == Ok("true");
            match missing_tinyproxy(std::env::consts::OS, ci) {
                Ok(line) => eprintln!("{line}"),
                Err(message) => panic!("{message}"),
            }
            return None;
        };
        let dir = temp_dir(&format!("tinyproxy-{name}"));
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let log = dir.join("tinyproxy.log");
        let _ = std::fs::remove_file(&log);
        let mut conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nLogFile \"{}\"\nLogLevel Info\nMaxClients 50\nAllow 127.0.0.1\nDisableViaHeader Yes\n",
            log.display()
        );
        if let Some((u, p)) = basic_auth {
            conf.push_str(&format!("BasicAuth {u} {p}\n"));
        }
        let conf_path = dir.join("tinyproxy.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new(binary)
            .arg("-d")
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tinyproxy starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tinyproxy did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Self { child, port, log })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut text);
        }
        text
    }

    fn connects_to(&self, port: u16) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("CONNECT") && l.contains(&format!(":{port}")))
            .count()
    }
}

#[tokio::test]
async fn approvals_go_through_a_real_forward_proxy_with_connect() {
    let Some(proxy) = Tinyproxy::start("plain", None) else {
        return;
    };
    let sim = sim().await;
    let port = sim.addr.port();
    let extra = format!(r#""proxy":"{}""#, proxy.url());
    let o = approve(&demo_client(&sim, &extra), "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let soap = proxy.connects_to(port);
    assert!(
        soap >= 1,
        "the proxy saw no CONNECT to {port}:\n{}",
        proxy.log()
    );
    let o = approve(&duo_client(&sim, &extra), "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert!(
        proxy.connects_to(port) > soap,
        "the Duo calls went through the proxy too"
    );
    // Without a proxy setting nothing goes through it.
    let before = proxy.connects_to(port);
    let o = approve(&duo_client(&sim, ""), "bob@contoso.com").await;
    assert_eq!(o.status, Status::Denied);
    assert_eq!(proxy.connects_to(port), before);
}

#[tokio::test]
async fn proxy_credentials_work_and_never_reach_any_output() {
    let secret = "Pr0xy-S3cret-Value";
    let Some(proxy) = Tinyproxy::start("auth", Some(("mfa-proxy", secret))) else {
        return;
    };
    let sim = sim().await;
    let extra = format!(r#""proxy":"{}","proxyUserName":"mfa-proxy""#, proxy.url());
    let with_password = |password: &str| {
        let mut secrets = duo_secret(mfa_sim::duo::DEMO_SECRET_KEY);
        secrets.proxy_password = Some(Zeroizing::new(password.into()));
        Client::new(&duo_config(&sim, &extra), secrets).unwrap()
    };
    let o = approve(&with_password(secret), "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    // The wrong password: the proxy refuses (407), the outcome says so, never the password.
    let wrong = "Wr0ng-Pr0xy-Pass";
    let clock = Instant::now();
    let o = approve(&with_password(wrong), "alice@contoso.com").await;
    assert!(!o.approved);
    assert_eq!(
        o.failure_kind,
        mfa_engine::outcome::FailureKind::Proxy,
        "{}",
        o.message
    );
    assert!(
        o.message.to_ascii_lowercase().contains("proxy"),
        "{}",
        o.message
    );
    assert!(
        clock.elapsed() < Duration::from_secs(5),
        "a refused proxy login is not retried"
    );
    let json = serde_json::to_string(&o).unwrap();
    assert!(!json.contains(wrong) && !json.contains(secret), "{json}");
    // No credentials at all.
    let client = duo_client(&sim, &format!(r#""proxy":"{}""#, proxy.url()));
    let o = approve(&client, "alice@contoso.com").await;
    assert!(!o.approved);
    assert_eq!(
        o.failure_kind,
        mfa_engine::outcome::FailureKind::Proxy,
        "{}",
        o.message
    );
    assert!(
        !proxy.log().contains(secret),
        "the proxy log never shows the password"
    );
}

#[tokio::test]
async fn system_follows_the_environment_and_none_ignores_it() {
    let Some(proxy) = Tinyproxy::start("system", None) else {
        return;
    };
    let sim = sim().await;
    let port = sim.addr.port();
    // This test binary's only test that touches the environment.
    std::env::set_var("HTTPS_PROXY", proxy.url());
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let system = duo_client(&sim, r#""proxy":"system""#);
    let none = duo_client(&sim, "");
    std::env::remove_var("HTTPS_PROXY");
    assert_eq!(
        approve(&none, "alice@contoso.com").await.status,
        Status::Approved
    );
    assert_eq!(proxy.connects_to(port), 0, "proxy none ignores HTTPS_PROXY");
    assert_eq!(
        approve(&system, "alice@contoso.com").await.status,
        Status::Approved
    );
    assert!(
        proxy.connects_to(port) >= 1,
        "proxy system uses HTTPS_PROXY:\n{}",
        proxy.log()
    );
}

#[test]
fn bad_proxy_settings_name_their_field() {
    for (extra, field) in [
        (r#""proxy":"socks5://127.0.0.1:1080""#, "proxy"),
        (r#""proxy":"http://user:pw@127.0.0.1:3128""#, "proxy"),
        (r#""proxy":"not a url""#, "proxy"),
        (r#""proxy":"system","proxyUserName":"u""#, "proxyUserName"),
        (
            r#""proxy":"http://127.0.0.1:3128","proxyUserName":"u""#,
            "proxyPassword",
        ),
    ] {
        let sim_url = "https://127.0.0.1:1";
        let json = format!(r#"{{"uri":"{sim_url}/x",{extra}}}"#);
        let config = mfa_engine::ClientConfig::from_json(json.as_bytes()).unwrap();
        let err = config.validate(&Secrets::default()).unwrap_err();
        assert_eq!(err.field, field, "{extra}: {err}");
    }
}
