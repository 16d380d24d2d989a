//! Audit records to syslog, against a real rsyslog (Debian `rsyslog`, `rsyslog-gnutls`)
//! that the test starts on loopback with its own configuration: imudp, imptcp (RFC 6587
//! octet counting) and imtcp with the gtls driver (RFC 5425) on unprivileged ports. Every
//! record must arrive over each transport, read by rsyslog's own RFC 5424 parser (its
//! properties) and by the strict parser here (the raw message); over TCP the message is the
//! audit file's line byte for byte. Where rsyslogd is missing the test says so in one line,
//! except under CI=true on Linux, where it fails.
//!
//! Also (no rsyslog needed): an unreachable or silent syslog server with `auditRequired:
//! syslog` refuses the approval within the deadline; with `both`, the file's approval is
//! followed by the final outcome (same id); udp cannot be required.

use crate::common;
use common::*;
use mfa_engine::{Client, Status};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const KEY: &str = "audit-key-for-the-syslog-tests-01";

/// rsyslogd and its TLS driver, or `None` after one line saying why (a failure under CI=true).
fn rsyslogd() -> Option<PathBuf> {
    let found = [
        "/usr/sbin/rsyslogd",
        "/sbin/rsyslogd",
        "/usr/local/sbin/rsyslogd",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file());
    let gtls = [
        "/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so",
        "/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so",
        "/usr/lib/rsyslog/lmnsd_gtls.so",
        "/usr/lib64/rsyslog/lmnsd_gtls.so",
    ]
    .iter()
    .any(|p| Path::new(p).is_file());
    let missing = match (&found, gtls) {
        (None, _) => "rsyslogd is not installed (Debian: rsyslog)",
        (Some(_), false) => {
            "rsyslog's TLS driver lmnsd_gtls is not installed (Debian: rsyslog-gnutls)"
        }
        _ => return found,
    };
    // Required under CI on Linux (.ci/run installs them); the Windows run has no rsyslog.
    if std::env::var("CI").as_deref() == Ok("true") && cfg!(target_os = "linux") {
        panic!(
            "{missing}; under CI=true it is required (.ci/run installs rsyslog and rsyslog-gnutls)"
        );
    }
    eprintln!("rsyslog tests skipped: {missing}.");
    None
}

fn free_port(udp: bool) -> u16 {
    if udp {
        std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    } else {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }
}

/// A running rsyslogd with its folder, ports and the files it writes.
struct Rsyslog {
    child: Child,
    dir: PathBuf,
    udp: u16,
    tcp: u16,
    tls: u16,
    ca: PathBuf,
    server_sha256: String,
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let until = Instant::now() + limit;
    let mut pause = Duration::from_millis(5);
    while !ready() {
        assert!(Instant::now() < until, "{what} within {limit:?}");
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

impl Rsyslog {
    fn start(exe: &Path, name: &str) -> Self {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
        let dir = temp_dir(&format!("rsyslog-{name}"));
        for entry in std::fs::read_dir(&dir).unwrap() {
            let _ = std::fs::remove_file(entry.unwrap().path());
        }
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "syslog test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
        let server_sha256: String = {
            use sha2::Digest as _;
            sha2::Sha256::digest(cert.der().as_ref())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        let write = |file: &str, text: &str| {
            let p = dir.join(file);
            std::fs::write(&p, text).unwrap();
            p
        };
        let ca_path = write("ca.pem", &ca.pem());
        let cert_path = write("server.pem", &cert.pem());
        let key_path = write("server.key", &key.serialize_pem());
        let (udp, tcp, tls) = (free_port(true), free_port(false), free_port(false));
        let d = dir.display();
        let conf = format!(
            r#"global(workDirectory="{d}" maxMessageSize="64k" processInternalMessages="on"
       defaultNetstreamDriverCAFile="{ca}" defaultNetstreamDriverCertFile="{cert}" defaultNetstreamDriverKeyFile="{key}")
module(load="imudp")
module(load="imptcp")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imudp" address="127.0.0.1" port="{udp}" name="udp")
input(type="imptcp" address="127.0.0.1" port="{tcp}" name="tcp")
input(type="imtcp" address="127.0.0.1" port="{tls}" name="tls")
template(name="raw" type="string" string="%inputname% %rawmsg%\n")
template(name="parsed" type="list" option.jsonf="on") {{
  property(outname="input" name="inputname" format="jsonf")
  property(outname="appname" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="facility" name="syslogfacility" format="jsonf")
  property(outname="severity" name="syslogseverity" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}}
if $app-name == "MfaApproval" then {{
  action(type="omfile" file="{d}/raw.log" template="raw")
  action(type="omfile" file="{d}/parsed.log" template="parsed")
  stop
}}
action(type="omfile" file="{d}/internal.log")
"#,
            ca = ca_path.display(),
            cert = cert_path.display(),
            key = key_path.display(),
        );
        let conf_path = write("rsyslog.conf", &conf);
        let child = Command::new(exe)
            .arg("-n")
            .arg("-f")
            .arg(&conf_path)
            .arg("-i")
            .arg(dir.join("rsyslogd.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rsyslogd starts");
        let r = Self {
            child,
            dir,
            udp,
            tcp,
            tls,
            ca: ca_path,
            server_sha256,
        };
        let internal = r.dir.join("internal.log");
        wait_for(
            "rsyslogd reports its start",
            Duration::from_secs(20),
            || std::fs::read_to_string(&internal).is_ok_and(|t| t.contains("] start")),
        );
        for port in [r.tcp, r.tls] {
            wait_for("rsyslogd listens", Duration::from_secs(20), || {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            });
        }
        r
    }

    /// The messages rsyslog received on `input` so far: (rsyslog's reading, the raw message).
    fn received(&self, input: &str) -> Vec<(serde_json::Value, String)> {
        let parsed = std::fs::read_to_string(self.dir.join("parsed.log")).unwrap_or_default();
        let raw = std::fs::read_to_string(self.dir.join("raw.log")).unwrap_or_default();
        let parsed: Vec<serde_json::Value> = parsed
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        let raw: Vec<&str> = raw.lines().collect();
        parsed
            .into_iter()
            .zip(raw)
            .filter(|(p, _)| p["input"] == input)
            .map(|(p, r)| (p, r.split_once(' ').unwrap().1.to_owned()))
            .collect()
    }

    fn wait_for_messages(&self, input: &str, n: usize) -> Vec<(serde_json::Value, String)> {
        wait_for(
            &format!("{n} messages over {input}"),
            Duration::from_secs(20),
            || self.received(input).len() >= n,
        );
        let got = self.received(input);
        assert_eq!(got.len(), n, "exactly {n} over {input}");
        got
    }
}

/// One RFC 5424 message read strictly: header fields, structured data, message.
#[derive(Debug)]
struct Syslog5424 {
    pri: u8,
    version: String,
    timestamp: String,
    hostname: String,
    app: String,
    procid: String,
    msgid: String,
    sd_id: String,
    params: Vec<(String, String)>,
    msg: String,
}

fn parse_5424(m: &str) -> Syslog5424 {
    let rest = m.strip_prefix('<').expect("<PRI>");
    let (pri, rest) = rest.split_once('>').expect("PRI ends with >");
    let mut fields = rest.splitn(7, ' ');
    let mut next = || fields.next().expect("a header field").to_owned();
    let (version, timestamp, hostname, app, procid, msgid) =
        (next(), next(), next(), next(), next(), next());
    let sd = next();
    let sd = sd.strip_prefix('[').expect("one SD-ELEMENT");
    let (sd_id, mut rest) = sd.split_once(' ').expect("SD-ID and params");
    let mut params = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix("] ") {
            rest = after;
            break;
        }
        let (name, after) = rest.split_once("=\"").expect("PARAM-NAME=\"");
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            let (i, c) = chars.next().expect("a closed PARAM-VALUE");
            match c {
                '\\' => value.push(chars.next().expect("an escaped character").1),
                '"' => break i,
                ']' => panic!("an unescaped ] in a PARAM-VALUE: {m}"),
                c => value.push(c),
            }
        };
        params.push((name.to_owned(), value));
        rest = &after[end + 1..];
        rest = rest.strip_prefix(' ').unwrap_or(rest);
    }
    let msg = rest
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 MSG starts with the BOM")
        .to_owned();
    Syslog5424 {
        pri: pri.parse().expect("PRI is a number"),
        version,
        timestamp,
        hostname,
        app,
        procid,
        msgid,
        sd_id: sd_id.to_owned(),
        params,
        msg,
    }
}

fn client_with(sim: &mfa_sim::Running, extra: &str, key: bool) -> Client {
    let mut secrets = duo_secret(mfa_sim::duo::DEMO_SECRET_KEY);
    secrets.audit_key = key.then(|| Zeroizing::new(KEY.into()));
    Client::new(&duo_config(sim, extra), secrets).expect("client builds")
}

async fn approve_n(client: &Client, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let o = run(
            client,
            &format!(r#"{{"userName":"instant@contoso.com","pushInfo":{{"ticket":"t-{i}"}}}}"#),
        )
        .await;
        assert_eq!(o.status, Status::Approved, "{}", o.message);
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
        ids.push(o.audit_id.unwrap());
    }
    ids
}

/// Checks one received message both ways and returns the audit line it carries.
fn check_message(rsyslog_view: &serde_json::Value, raw: &str, seq: u64) -> String {
    let m = parse_5424(raw);
    assert_eq!(
        (m.version.as_str(), m.app.as_str(), m.sd_id.as_str()),
        ("1", "MfaApproval", "mfaApproval@32473"),
        "{raw}"
    );
    assert!(
        m.timestamp.ends_with('Z') && m.timestamp.contains('T'),
        "{raw}"
    );
    assert!(!m.hostname.is_empty());
    assert_eq!(m.procid, std::process::id().to_string());
    let expect_msgid = if seq == 0 { "header" } else { "Approved" };
    assert_eq!(m.msgid, expect_msgid);
    assert_eq!(
        m.pri,
        10 * 8 + if seq == 0 { 6 } else { 5 },
        "authpriv, notice (informational for the header)"
    );
    let line: serde_json::Value = serde_json::from_str(&m.msg).expect("the MSG is the audit line");
    assert_eq!(line["seq"], seq);
    let param = |k: &str| {
        m.params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(param("seq"), Some(seq.to_string()));
    assert_eq!(param("prev").as_deref(), line["prev"].as_str());
    assert_eq!(param("mac").as_deref(), line["mac"].as_str());
    if seq > 0 {
        assert_eq!(param("status").as_deref(), Some("Approved"));
        assert_eq!(param("userName").as_deref(), Some("instant@contoso.com"));
        assert_eq!(param("id").as_deref(), line["id"].as_str());
    }
    // rsyslog's own RFC 5424 reading agrees.
    assert_eq!(rsyslog_view["appname"], "MfaApproval");
    assert_eq!(rsyslog_view["msgid"], expect_msgid);
    assert_eq!(rsyslog_view["procid"], m.procid.as_str());
    assert_eq!(rsyslog_view["facility"], "10");
    assert!(
        rsyslog_view["sd"]
            .as_str()
            .unwrap()
            .starts_with("[mfaApproval@32473 "),
        "{rsyslog_view}"
    );
    assert!(rsyslog_view["sd"]
        .as_str()
        .unwrap()
        .contains(&format!("seq=\"{seq}\"")));
    assert_eq!(
        rsyslog_view["msg"]
            .as_str()
            .unwrap()
            .trim_start_matches('\u{feff}'),
        m.msg
    );
    m.msg
}

#[tokio::test(flavor = "multi_thread")]
async fn rsyslog_receives_every_record_over_udp_tcp_and_tls() {
    let Some(exe) = rsyslogd() else {
        return;
    };
    let rs = Rsyslog::start(&exe, "all");
    let sim = sim().await;

    // UDP, no file: a chain kept in memory (header, then the records), keyed.
    let udp = client_with(
        &sim,
        &format!(r#""syslogServer":"udp://127.0.0.1:{}""#, rs.udp),
        true,
    );
    approve_n(&udp, 3).await;
    let got = rs.wait_for_messages("udp", 4);
    let key = mfa_engine::audit::chain::Key::new(KEY.as_bytes());
    let mut lines = Vec::new();
    for (seq, (view, raw)) in got.iter().enumerate() {
        lines.push(check_message(view, raw, seq as u64));
    }
    // The messages make a valid chain on their own.
    let mut text = lines.join("\n");
    text.push('\n');
    let r = mfa_engine::audit::verify::verify(text.as_bytes(), Some(&key)).unwrap();
    assert!(r.valid && r.records == 3, "{r:?}");

    // TCP (octet counting) with a file, required both: the messages are the file's lines.
    let dir = temp_dir("syslog-tcp-file");
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let extra = format!(
        r#""syslogServer":"tcp://127.0.0.1:{}","auditRequired":"both","auditPath":{}"#,
        rs.tcp,
        serde_json::to_string(&path).unwrap()
    );
    approve_n(&client_with(&sim, &extra, true), 3).await;
    let got = rs.wait_for_messages("tcp", 4);
    let file_lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    for (seq, (view, raw)) in got.iter().enumerate() {
        assert_eq!(
            check_message(view, raw, seq as u64),
            file_lines[seq],
            "byte for byte"
        );
    }

    // TLS (RFC 5425), trusting the test CA file, then pinning the server's certificate.
    for (i, trust) in [
        format!(
            r#""syslogCaCertificateFile":{}"#,
            serde_json::to_string(&rs.ca).unwrap()
        ),
        format!(r#""syslogCertificateSha256":["{}"]"#, rs.server_sha256),
    ]
    .iter()
    .enumerate()
    {
        let extra = format!(
            r#""syslogServer":"tls://127.0.0.1:{}","auditRequired":"syslog",{trust}"#,
            rs.tls
        );
        approve_n(&client_with(&sim, &extra, false), 2).await;
        let got = rs.wait_for_messages("tls", 3 * (i + 1));
        for (seq, (view, raw)) in got[3 * i..].iter().enumerate() {
            check_message(view, raw, seq as u64);
        }
    }

    // A wrong pin: refused, the message names the parameter, the approval is not granted.
    let extra = format!(
        r#""syslogServer":"tls://127.0.0.1:{}","auditRequired":"syslog","syslogCertificateSha256":["{}"]"#,
        rs.tls,
        "ab".repeat(32)
    );
    let o = run(
        &client_with(&sim, &extra, false),
        r#"{"userName":"instant@contoso.com"}"#,
    )
    .await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(
        o.message.contains("-SyslogCertificateHash"),
        "{}",
        o.message
    );
    assert_eq!(
        rs.received("tls").len(),
        6,
        "nothing arrived over the refused connection"
    );
}

#[tokio::test]
async fn an_unreachable_or_silent_syslog_required_refuses_the_approval_within_the_deadline() {
    let sim = sim().await;
    // Nobody listens: refused at once.
    let closed = free_port(false);
    // Accepts and never speaks: the TLS handshake hangs until the bound.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            kept.push(s);
        }
    });
    for server in [
        format!("tcp://127.0.0.1:{closed}"),
        format!("tls://127.0.0.1:{silent_port}"),
    ] {
        let extra = format!(r#""syslogServer":"{server}","auditRequired":"syslog""#);
        let client = client_with(&sim, &extra, true);
        let started = Instant::now();
        let o = run(
            &client,
            r#"{"userName":"instant@contoso.com","timeoutSeconds":5}"#,
        )
        .await;
        let took = started.elapsed();
        assert_eq!(o.status, Status::Failed, "{server}: {}", o.message);
        assert!(!o.approved);
        assert!(o.message.contains("syslog 127.0.0.1"), "{}", o.message);
        assert!(o.message.contains("not an approval"), "{}", o.message);
        assert!(
            took < Duration::from_secs(5) + mfa_engine::audit::AUDIT_WRITE_BOUND,
            "{server}: {took:?}"
        );
        // Not required (a file is): Approved, with a warning.
        let dir = temp_dir("syslog-optional");
        let path = dir.join("audit.jsonl");
        let _ = std::fs::remove_file(&path);
        let extra = format!(
            r#""syslogServer":"{server}","auditPath":{}"#,
            serde_json::to_string(&path).unwrap()
        );
        let o = run(
            &client_with(&sim, &extra, true),
            r#"{"userName":"instant@contoso.com"}"#,
        )
        .await;
        assert_eq!(o.status, Status::Approved, "{}", o.message);
        assert!(
            o.warnings
                .iter()
                .any(|w| w.contains("could not be sent to syslog")),
            "{:?}",
            o.warnings
        );
    }
    held.abort();

    // Required both: the file took the approval, syslog did not; the file then records the
    // final outcome under the same id, and the chain stays valid.
    let dir = temp_dir("syslog-both");
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let extra = format!(
        r#""syslogServer":"tcp://127.0.0.1:{closed}","auditRequired":"both","auditPath":{}"#,
        serde_json::to_string(&path).unwrap()
    );
    let o = run(
        &client_with(&sim, &extra, true),
        r#"{"userName":"instant@contoso.com"}"#,
    )
    .await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "header, the approval, the final outcome");
    assert_eq!(lines[1]["status"], "Approved");
    assert_eq!(lines[2]["status"], "Failed");
    assert_eq!(lines[1]["id"], lines[2]["id"]);
    assert_eq!(lines[2]["id"].as_str(), o.audit_id.as_deref());
    let key = mfa_engine::audit::chain::Key::new(KEY.as_bytes());
    assert!(
        mfa_engine::audit::verify::verify_file(&path, Some(&key))
            .unwrap()
            .valid
    );

    // Required file, and the file fails: syslog gets only the final outcome (never Approved).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let folder_path = dir.join("is-a-folder.jsonl");
    let _ = std::fs::remove_dir(&folder_path);
    let extra = format!(
        r#""syslogServer":"tcp://127.0.0.1:{port}","auditPath":{}"#,
        serde_json::to_string(&folder_path).unwrap()
    );
    let client = client_with(&sim, &extra, false);
    std::fs::create_dir_all(&folder_path).unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        let (mut s, _) = listener.accept().unwrap();
        std::io::Read::read_to_string(&mut s, &mut all).unwrap();
        all
    });
    let o = run(&client, r#"{"userName":"instant@contoso.com"}"#).await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    let got = reader.join().unwrap();
    assert!(got.contains(" Failed [mfaApproval@32473 "), "{got}");
    assert!(
        !got.contains(" Approved [") && !got.contains("status=\"Approved\""),
        "{got}"
    );
}

#[test]
fn udp_cannot_be_required_and_tls_settings_need_tls() {
    let base =
        r#"{"provider":"duo","uri":"https://127.0.0.1:1","integrationKey":"DIDEMOINTEGRATION001""#;
    for (extra, field) in [
        (
            r#""syslogServer":"udp://127.0.0.1","auditRequired":"syslog""#,
            "auditRequired",
        ),
        (
            r#""syslogServer":"tcp://127.0.0.1","syslogCertificateSha256":["00"]"#,
            "syslogCertificateSha256",
        ),
        (
            r#""syslogCaCertificateFile":"/etc/ssl/ca.pem""#,
            "syslogCaCertificateFile",
        ),
        (r#""auditRequired":"file""#, "auditRequired"),
        (r#""syslogServer":"syslog.contoso.com:514""#, "syslogServer"),
        (r#""eventLog":true"#, "eventLog"),
    ] {
        let json = format!("{base},{extra}}}");
        let config = mfa_engine::ClientConfig::from_json(json.as_bytes()).unwrap();
        let e = Client::new(&config, duo_secret(mfa_sim::duo::DEMO_SECRET_KEY)).unwrap_err();
        assert_eq!(e.field, field, "{extra}: {e}");
        assert_eq!(
            config.validate_fields().unwrap_err().field,
            field,
            "the check without a client agrees"
        );
    }
    // A short audit key is refused, and never shown.
    let json = format!(r#"{base},"syslogServer":"tcp://127.0.0.1"}}"#);
    let config = mfa_engine::ClientConfig::from_json(json.as_bytes()).unwrap();
    let mut secrets = duo_secret(mfa_sim::duo::DEMO_SECRET_KEY);
    secrets.audit_key = Some(Zeroizing::new("short-key-77".into()));
    let e = Client::new(&config, secrets).unwrap_err();
    assert_eq!(e.field, "auditKey");
    assert!(!e.to_string().contains("short-key-77"));
}
