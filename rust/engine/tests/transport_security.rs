//! Caller authentication and TLS against the simulator: Basic (preemptive and challenge),
//! pins, CA files, client certificates (PEM and PKCS#12), and what fails closed.

use crate::common;
use common::*;
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Client, ClientConfig, Secrets, Status};
use zeroize::Zeroizing;

#[tokio::test]
async fn basic_challenge_mode_answers_the_401_once() {
    let sim = sim().await;
    let o = approve(
        &demo_client(&sim, r#""basicMode":"challenge""#),
        "alice@contoso.com",
    )
    .await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(o.http_calls, 2);
    assert_eq!(
        sim.stats
            .unauthorized
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    let pre = approve(&demo_client(&sim, ""), "alice@contoso.com").await;
    assert_eq!(pre.http_calls, 1);
}

#[tokio::test]
async fn a_wrong_password_is_an_authentication_failure_that_never_shows_the_password() {
    let sim = sim().await;
    let wrong = "Wr0ng-Passw0rd-Value";
    let client = Client::new(&config(&sim, ""), password(wrong)).unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(
        (o.status, o.failure_kind),
        (Status::Failed, FailureKind::Authentication)
    );
    let printed = format!("{o:?} {}", serde_json::to_string(&o).unwrap());
    assert!(!printed.contains(wrong) && !printed.contains(mfa_sim::DEMO_PASSWORD));
    assert!(!format!("{client:?}").contains(wrong));
}

#[tokio::test]
async fn a_wrong_pin_fails_closed_and_says_so() {
    let sim = sim().await;
    let json = format!(
        r#"{{"uri":"{}","userName":"demo-admin","serverCertificateSha256":["{}"]}}"#,
        sim.url,
        "00".repeat(32)
    );
    let client = Client::new(
        &ClientConfig::from_json(json.as_bytes()).unwrap(),
        password(mfa_sim::DEMO_PASSWORD),
    )
    .unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(
        (o.status, o.failure_kind),
        (Status::Failed, FailureKind::CertificatePin),
        "{}",
        o.message
    );
    assert!(
        o.message.contains(sim.cert_sha256.as_deref().unwrap()),
        "names the presented fingerprint: {}",
        o.message
    );
    assert_eq!(
        sim.stats
            .soap_calls
            .load(std::sync::atomic::Ordering::Relaxed),
        0,
        "nothing reached the server"
    );
}

#[tokio::test]
async fn an_untrusted_self_signed_server_fails_tls_and_a_ca_file_trusts_it() {
    let sim = sim().await;
    let plain = format!(r#"{{"uri":"{}","userName":"demo-admin"}}"#, sim.url);
    let no_trust = ClientConfig::from_json(plain.as_bytes()).unwrap();
    match Client::new(&no_trust, password(mfa_sim::DEMO_PASSWORD)) {
        Ok(client) => {
            let o = approve(&client, "alice@contoso.com").await;
            assert_eq!(
                (o.status, o.failure_kind),
                (Status::Failed, FailureKind::Tls),
                "{}",
                o.message
            );
        }
        Err(e) => assert_eq!(
            e.field, "caCertificateFile",
            "no system roots on this machine: {e}"
        ),
    }
    let dir = temp_dir("ca");
    let ca = dir.join("sim.pem");
    std::fs::write(&ca, sim.cert_pem.as_deref().unwrap()).unwrap();
    let json = format!(
        r#"{{"uri":"{}","userName":"demo-admin","caCertificateFile":"{}"}}"#,
        sim.url,
        ca.display()
    );
    let client = Client::new(
        &ClientConfig::from_json(json.as_bytes()).unwrap(),
        password(mfa_sim::DEMO_PASSWORD),
    )
    .unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);

    // The same CA file saved with a UTF-8 BOM (Notepad, Windows PowerShell 5.1) still trusts it.
    let bom = dir.join("sim-bom.pem");
    std::fs::write(
        &bom,
        format!("\u{feff}{}", sim.cert_pem.as_deref().unwrap()),
    )
    .unwrap();
    let json = format!(
        r#"{{"uri":"{}","userName":"demo-admin","caCertificateFile":"{}"}}"#,
        sim.url,
        bom.display()
    );
    let client = Client::new(
        &ClientConfig::from_json(json.as_bytes()).unwrap(),
        password(mfa_sim::DEMO_PASSWORD),
    )
    .unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
}

#[tokio::test]
async fn connection_refused_is_a_connect_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let json =
        format!(r#"{{"uri":"http://127.0.0.1:{port}/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx"}}"#);
    let client = Client::new(
        &ClientConfig::from_json(json.as_bytes()).unwrap(),
        Secrets::default(),
    )
    .unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(
        (o.status, o.failure_kind),
        (Status::Failed, FailureKind::Connect),
        "{}",
        o.message
    );
}

#[tokio::test]
async fn an_unresolvable_name_is_a_dns_failure() {
    // `.invalid` never resolves (RFC 2606), with or without a network.
    let json =
        r#"{"uri":"http://mfa.nonexistent.invalid/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx"}"#;
    let client = Client::new(
        &ClientConfig::from_json(json.as_bytes()).unwrap(),
        Secrets::default(),
    )
    .unwrap();
    let o = run(
        &client,
        r#"{"userName":"alice@contoso.com","timeoutSeconds":20}"#,
    )
    .await;
    assert_eq!(
        (o.status, o.failure_kind),
        (Status::Failed, FailureKind::Dns),
        "{}",
        o.message
    );
}

struct Pki {
    ca_pem: String,
    client_cert_pem: String,
    client_key_pem: String,
    client_key_der: Vec<u8>,
    client_cert_der: Vec<u8>,
}

fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test Client CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "mfa-admin");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    Pki {
        ca_pem: ca.pem(),
        client_cert_pem: cert.pem(),
        client_key_pem: key.serialize_pem(),
        client_key_der: key.serialize_der(),
        client_cert_der: cert.der().to_vec(),
    }
}

#[tokio::test]
async fn client_certificates_authenticate_the_caller_as_pem_and_pkcs12() {
    let pki = pki();
    let dir = temp_dir("client-cert");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    let ca_path = ca_file.display().to_string();
    let sim = sim_with(|c| {
        c.client_ca_file = Some(ca_path);
        c.credentials.clear();
    })
    .await;
    let pin = sim.cert_sha256.clone().unwrap();
    let build = |extra: &str, secrets: Secrets| {
        let json = format!(
            r#"{{"uri":"{}","serverCertificateSha256":["{pin}"]{extra}}}"#,
            sim.url
        );
        Client::new(&ClientConfig::from_json(json.as_bytes()).unwrap(), secrets)
    };

    // Without a certificate the handshake is refused: not an approval.
    let o = approve(&build("", Secrets::default()).unwrap(), "alice@contoso.com").await;
    assert_eq!(o.status, Status::Failed, "{}", o.message);
    assert!(!o.approved);

    // PEM: certificate and key in one file.
    let pem = dir.join("client.pem");
    std::fs::write(
        &pem,
        format!("{}{}", pki.client_cert_pem, pki.client_key_pem),
    )
    .unwrap();
    let client = build(
        &format!(r#","clientCertificateFile":"{}""#, pem.display()),
        Secrets::default(),
    )
    .unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    // The same PEM saved with a UTF-8 BOM works too.
    let pem_bom = dir.join("client-bom.pem");
    std::fs::write(
        &pem_bom,
        format!("\u{feff}{}{}", pki.client_cert_pem, pki.client_key_pem),
    )
    .unwrap();
    let client = build(
        &format!(r#","clientCertificateFile":"{}""#, pem_bom.display()),
        Secrets::default(),
    )
    .unwrap();
    let o = approve(&client, "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    let caller = sim
        .stats
        .seen
        .lock()
        .unwrap()
        .last()
        .unwrap()
        .caller
        .clone();
    assert!(caller.starts_with("client-certificate:"), "{caller}");

    // PKCS#12 with a password; a wrong password is a clear configuration error.
    let chain = p12_keystore::PrivateKeyChain::new(
        b"id".to_vec(),
        p12_keystore::PrivateKey::from_der(&pki.client_key_der).unwrap(),
        vec![p12_keystore::Certificate::from_der(&pki.client_cert_der).unwrap()],
    );
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    let pfx_password = "Pfx-Passw0rd";
    let pfx = dir.join("client.pfx");
    std::fs::write(&pfx, store.writer(pfx_password).write().unwrap()).unwrap();
    let pfx_field = format!(r#","clientCertificateFile":"{}""#, pfx.display());
    let with = |p: &str| Secrets {
        client_certificate_password: Some(Zeroizing::new(p.into())),
        ..Default::default()
    };
    let o = approve(
        &build(&pfx_field, with(pfx_password)).unwrap(),
        "bob@contoso.com",
    )
    .await;
    assert_eq!(o.status, Status::Denied, "{}", o.message);
    let err = build(&pfx_field, with("not-the-password")).unwrap_err();
    assert_eq!(err.field, "clientCertificateFile");
    assert!(err.problem.contains("wrong password"), "{err}");
    assert!(!err.to_string().contains("not-the-password"));

    // A file that is neither PEM nor PKCS#12.
    let junk = dir.join("junk.pfx");
    std::fs::write(&junk, b"\x00\x01junk").unwrap();
    let err = build(
        &format!(r#","clientCertificateFile":"{}""#, junk.display()),
        Secrets::default(),
    )
    .unwrap_err();
    assert_eq!(err.field, "clientCertificateFile");
}

/// Every file a configuration names, given something that is not a small regular file
/// (/dev/zero, a FIFO, a folder, a file over the limit), is refused at once with the field,
/// the reason and what to give. Runs in a child process with a memory cap and a deadline,
/// so a reader that is not bounded fails this test instead of eating the machine or hanging.
#[cfg(unix)]
#[test]
fn hostile_files_in_every_file_field_are_refused_fast_by_a_child_with_a_deadline() {
    let exe = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 1000000; exec "$0" "$@""#)
        .arg(exe)
        .args([
            "--exact",
            &common::test_name(module_path!(), "hostile_files_child"),
            "--ignored",
            "--test-threads=1",
        ])
        .env("MFA_HOSTILE_FILES_CHILD", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let status = status.unwrap_or_else(|| panic!("the reads did not end within 60 s:\n{text}"));
    assert!(status.success(), "{text}");
    assert!(text.contains("1 passed"), "the child ran no test:\n{text}");
}

/// The child of the test above (run only by it).
#[cfg(unix)]
#[test]
#[ignore = "run by hostile_files_in_every_file_field_are_refused_fast_by_a_child_with_a_deadline"]
fn hostile_files_child() {
    assert_eq!(
        std::env::var("MFA_HOSTILE_FILES_CHILD").as_deref(),
        Ok("1"),
        "run through its parent test"
    );
    let dir = temp_dir("hostile-files");
    let fifo = dir.join("fifo.pem");
    let _ = std::fs::remove_file(&fifo);
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let folder = dir.join("folder.pem");
    std::fs::create_dir_all(&folder).unwrap();
    let big = dir.join("big.pem");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(2 * 1024 * 1024)
        .unwrap();
    let big_key = dir.join("big-key.pem");
    std::fs::File::create(&big_key)
        .unwrap()
        .set_len(64 * 1024 + 1)
        .unwrap();
    let pki = pki();
    let cert = dir.join("cert.pem");
    std::fs::write(&cert, &pki.client_cert_pem).unwrap();
    let mfa = |extra: String| {
        format!(
            r#"{{"uri":"https://mfa.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx","userName":"svc"{extra}}}"#
        )
    };
    let pi = |extra: String| {
        format!(
            r#"{{"provider":"privacyidea","uri":"https://pi.contoso.com/","userName":"svc","realm":"contoso"{extra}}}"#
        )
    };
    type Make = Box<dyn Fn(&str) -> String>;
    let fields: Vec<(&str, Make, &str)> = vec![
        (
            "caCertificateFile",
            Box::new(move |p| mfa(format!(r#","caCertificateFile":"{p}""#))),
            "1 MiB",
        ),
        (
            "clientCertificateFile",
            Box::new(move |p| mfa(format!(r#","clientCertificateFile":"{p}""#))),
            "1 MiB",
        ),
        (
            "clientKeyFile",
            Box::new(move |p| {
                mfa(format!(
                    r#","clientCertificateFile":"{}","clientKeyFile":"{p}""#,
                    cert.display()
                ))
            }),
            "1 MiB",
        ),
        (
            "responseSigningKeyFile",
            Box::new(move |p| pi(format!(r#","responseSigningKeyFile":"{p}""#))),
            "64 KiB",
        ),
    ];
    for (field, make, limit) in &fields {
        let over = if *limit == "64 KiB" { &big_key } else { &big };
        let cases = [
            ("/dev/zero".to_string(), "is a device, not a regular file"),
            (
                fifo.display().to_string(),
                "is a FIFO (named pipe), not a regular file",
            ),
            (
                folder.display().to_string(),
                "is a folder, not a regular file",
            ),
            (over.display().to_string(), "is larger than"),
        ];
        for (path, why) in cases {
            let json = make(&path);
            let err = match Client::new(
                &ClientConfig::from_json(json.as_bytes()).unwrap(),
                password("p"),
            ) {
                Ok(_) => panic!("{field} = {path} was accepted"),
                Err(e) => e,
            };
            assert_eq!(err.field, *field, "{path}: {err}");
            assert!(err.problem.contains(why), "{field} = {path}: {err}");
            assert!(err.problem.contains("; give "), "{field} = {path}: {err}");
            if why == "is larger than" {
                assert!(err.problem.contains(limit), "{field}: {err}");
            }
        }
    }
}

/// The client-TLS rule (`ClientConfig::check_client_tls`) holds for every provider that takes client
/// certificates: a key needs its certificate; no TLS setting with a plain http:// uri.
#[test]
fn client_tls_settings_are_checked_alike_for_mfaserver_and_privacyidea() {
    for base in [
        r#""provider":"mfaserver","userName":"admin","allowUnencryptedAuthentication":true"#,
        r#""provider":"privacyidea","userName":"svc","realm":"r","allowUnencryptedAuthentication":true"#,
    ] {
        for (extra, field, words) in [
            (
                r#""uri":"https://127.0.0.1/x","clientKeyFile":"k.pem""#,
                "clientKeyFile",
                "without clientCertificateFile",
            ),
            (
                r#""uri":"http://127.0.0.1/x","caCertificateFile":"ca.pem""#,
                "uri",
                "is plain http:// but TLS settings",
            ),
            (
                r#""uri":"http://127.0.0.1/x","serverCertificateSha256":["00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"]"#,
                "uri",
                "is plain http:// but TLS settings",
            ),
        ] {
            let json = format!("{{{base},{extra}}}");
            let secrets = Secrets {
                basic_password: Some(Zeroizing::new("s3cret-Pa55".into())),
                ..Default::default()
            };
            let err = ClientConfig::from_json(json.as_bytes())
                .and_then(|c| c.validate(&secrets).map(|_| c))
                .unwrap_err();
            assert_eq!(err.field, field, "{json}: {err}");
            assert!(err.problem.contains(words), "{json}: {err}");
        }
    }
}
