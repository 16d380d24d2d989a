//! `mfa-sim`: the MFA Server SDK and Duo Auth API simulator as a command. Prints the
//! service URL on its first line, then the certificate fingerprint (HTTPS), the caller user
//! the Duo API base and integration key and the Okta org URL, then one `connection:` line per
//! provider it serves (a ready configuration and the secret it needs; the value only for the
//! README's published demo secrets and only with `--connection-secrets`: by default no
//! password, secret key or token is printed), and serves
//! until Ctrl+C, SIGTERM, or (with `--exit-on-stdin-eof`) until its standard input closes.

use mfa_sim::{Directory, Running, SimConfig, TlsMode, DEMO_USER};
use std::time::Duration;

const USAGE: &str = "usage: mfa-sim [--addr HOST:PORT] [--http] [--cert PEM --key PEM] [--credential USER:PASSWORD]...
               [--anonymous] [--client-ca PEM] [--no-response-after SECONDS] [--directory FILE|-]
               [--direct-sdk-disallowed] [--path /VDIR/PfWsSdk.asmx] [--write-cert FILE]
               [--exit-on-stdin-eof] [--duo-integration-key IKEY] [--duo-secret-key-file FILE]
               [--radius [--radius-port PORT] [--radius-secret-file FILE]]
               [--okta-api-token-file FILE] [--okta-client-id ID --okta-client-key-file PEM]
               [--serve PROVIDER] [--connection-secrets]

Simulates the Azure MFA Server Web Service SDK (PfWsSdk.asmx) and, on the same listener,
Duo's Auth API v2 (/auth/v2/ping, check, preauth, auth, auth_status) and Okta's
management API for Okta Verify push (/api/v1/users, factors, verify, transactions) on loopback.
Defaults: 127.0.0.1:0 (a free port), HTTPS with a self-signed certificate (its SHA-256 is
printed for pinning), the demo caller demo-admin (password in the README), the built-in
demo users alice/bob/carol/mallory@contoso.com, no-response delay 55 s, and for Duo the
demo integration key and secret key (demo only; see the README) with the same users plus
victor (Verified Push), bypass, locked and enroll; for Okta the demo API token (demo only;
see the README) with alice/bob/carol/mallory/victor/dave and the fault users. --radius adds a
RADIUS server (UDP, same address, a free port unless --radius-port) for the same users plus
challenge, unsigned and wrongsecret, with the demo shared secret (demo only; see the README).
asmith@contoso.com is alice under another name (an alias) for the SOAP service, Duo and Okta.
--directory adds or replaces users, with aliases, phones and Okta ids (see the README), from a
JSON file (- : one line of JSON on standard input). --serve radius is --radius; --serve with
another provider's name (mfaserver, duo, okta, privacyidea) changes nothing (they are always
served). Before \"ready\", one line per provider served:
connection: {\"config\":{...},\"secrets\":{\"<secret name>\":null}} (privacyIDEA's pins the demo
response signing key it signs with, written to a new folder under the temporary folder); with --connection-secrets
the README's demo secrets' values instead of null (never a secret given by file). Users come from a
JSON file (- : one line of JSON on standard input):
{\"users\":[{\"userName\":\"alice@contoso.com\",\"answer\":\"deny\",\"delaySeconds\":2}]}; a user
answering approve, deny, fraud or noResponse answers so on every provider.";

fn fail(msg: &str) -> ! {
    eprintln!("mfa-sim: {msg}");
    std::process::exit(2)
}

/// `--radius` and its options: the port (0: a free one) and the shared secret.
struct RadiusOptions {
    enabled: bool,
    port: u16,
    secret: String,
}

fn parse(
    args: &[String],
    radius: &mut RadiusOptions,
) -> Result<(SimConfig, bool, Option<String>), String> {
    let mut config = SimConfig::default();
    let mut credentials = Vec::new();
    let (mut cert, mut key, mut http, mut anonymous, mut stdin_eof) =
        (None, None, false, false, false);
    let mut directory_file = None;
    let mut write_cert = None;
    let (mut okta_client_id, mut okta_client_key) = (None, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--addr" => {
                config.addr = value("--addr")?
                    .parse()
                    .map_err(|e| format!("--addr: {e} (expected HOST:PORT, e.g. 127.0.0.1:0)"))?
            }
            "--http" => http = true,
            "--cert" => cert = Some(value("--cert")?),
            "--key" => key = Some(value("--key")?),
            "--credential" => {
                let v = value("--credential")?;
                let (u, p) = v
                    .split_once(':')
                    .ok_or("--credential: expected USER:PASSWORD")?;
                if u.is_empty() || p.is_empty() {
                    return Err("--credential: user and password must not be empty".into());
                }
                credentials.push((u.to_string(), p.to_string()));
            }
            "--anonymous" => anonymous = true,
            "--client-ca" => config.client_ca_file = Some(value("--client-ca")?),
            "--no-response-after" => {
                let v = value("--no-response-after")?;
                let s: f64 = v.parse().map_err(|_| {
                    format!("--no-response-after: '{v}' is not a number of seconds")
                })?;
                if !(0.0..=3600.0).contains(&s) {
                    return Err("--no-response-after: must be between 0 and 3600 seconds".into());
                }
                config.no_response_after = Duration::from_secs_f64(s);
            }
            "--directory" => directory_file = Some(value("--directory")?),
            "--direct-sdk-disallowed" => config.direct_sdk_disallowed = true,
            "--path" => {
                let p = value("--path")?;
                if !p.starts_with('/') {
                    return Err("--path: must start with '/'".into());
                }
                config.path = p;
            }
            "--exit-on-stdin-eof" => stdin_eof = true,
            "--duo-integration-key" => config.duo_integration_key = value("--duo-integration-key")?,
            "--duo-secret-key-file" => {
                let f = value("--duo-secret-key-file")?;
                let key = std::fs::read_to_string(&f)
                    .map_err(|e| format!("--duo-secret-key-file '{f}': {e}"))?;
                // A file saved by Windows PowerShell 5.1 or Notepad may start with a BOM.
                config.duo_secret_key = key.trim_start_matches('\u{feff}').trim().to_string();
                if config.duo_secret_key.is_empty() {
                    return Err(format!("--duo-secret-key-file '{f}': the file is empty"));
                }
            }
            "--okta-api-token-file" => {
                let f = value("--okta-api-token-file")?;
                let token = std::fs::read_to_string(&f)
                    .map_err(|e| format!("--okta-api-token-file '{f}': {e}"))?;
                config.okta_api_token = token.trim().to_string();
                if config.okta_api_token.is_empty() {
                    return Err(format!("--okta-api-token-file '{f}': the file is empty"));
                }
            }
            "--okta-client-id" => okta_client_id = Some(value("--okta-client-id")?),
            "--okta-client-key-file" => {
                let f = value("--okta-client-key-file")?;
                okta_client_key = Some(
                    std::fs::read_to_string(&f)
                        .map_err(|e| format!("--okta-client-key-file '{f}': {e}"))?,
                );
            }
            "--write-cert" => write_cert = Some(value("--write-cert")?),
            "--radius" => radius.enabled = true,
            "--serve" => match value("--serve")?.as_str() {
                "radius" => radius.enabled = true,
                "mfaserver" | "duo" | "okta" | "privacyidea" => {}
                other => {
                    return Err(format!(
                        "--serve: '{other}' is not a provider mfa-sim serves"
                    ))
                }
            },
            "--radius-port" => {
                let v = value("--radius-port")?;
                radius.port = v
                    .parse()
                    .map_err(|_| format!("--radius-port: '{v}' is not a port number"))?;
            }
            "--radius-secret-file" => {
                let f = value("--radius-secret-file")?;
                let secret = std::fs::read_to_string(&f)
                    .map_err(|e| format!("--radius-secret-file '{f}': {e}"))?;
                radius.secret = secret.trim().to_string();
                if radius.secret.is_empty() {
                    return Err(format!("--radius-secret-file '{f}': the file is empty"));
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0)
            }
            "--version" => {
                println!("mfa-sim {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0)
            }
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    config.tls = match (http, cert, key) {
        (true, None, None) => TlsMode::Plain,
        (true, _, _) => return Err("--http cannot be combined with --cert/--key".into()),
        (false, Some(cert), Some(key)) => TlsMode::Files { cert, key },
        (false, None, None) => TlsMode::SelfSigned,
        _ => return Err("--cert and --key go together".into()),
    };
    if http && config.client_ca_file.is_some() {
        return Err("--client-ca needs HTTPS".into());
    }
    if anonymous {
        config.credentials.clear();
    } else if !credentials.is_empty() {
        config.credentials = credentials;
    }
    if let Some(f) = directory_file {
        config.directory = if f == "-" {
            Directory::demo()
                .apply(&read_directory_line()?)
                .map_err(|e| format!("--directory -: {e}"))?
        } else {
            Directory::demo().load(&f)?
        };
    }
    config.okta_service_app = match (okta_client_id, okta_client_key) {
        (Some(id), Some(key)) => Some((id, key)),
        (None, None) => None,
        _ => return Err("--okta-client-id and --okta-client-key-file go together".into()),
    };
    if http && write_cert.is_some() {
        return Err("--write-cert needs HTTPS".into());
    }
    Ok((config, stdin_eof, write_cert))
}

/// Longest directory document read from standard input (`--directory -`).
const MAX_DIRECTORY_BYTES: u64 = 1024 * 1024;

/// `--directory -`: one line of JSON on standard input (what `Start-MfaSimulator -User`
/// sends; the rest of standard input stays for `--exit-on-stdin-eof`).
fn read_directory_line() -> Result<Vec<u8>, String> {
    use std::io::{BufRead, Read};
    let mut line = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_DIRECTORY_BYTES + 1)
        .read_until(b'\n', &mut line)
        .map_err(|e| format!("--directory -: reading standard input: {e}"))?;
    if line.len() as u64 > MAX_DIRECTORY_BYTES {
        return Err(format!(
            "--directory -: the line on standard input is longer than {MAX_DIRECTORY_BYTES} bytes"
        ));
    }
    if line.iter().all(u8::is_ascii_whitespace) {
        return Err("--directory -: standard input held no line of JSON".into());
    }
    Ok(line)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The demo secrets' values go into the connection lines only when asked (the module's
    // Start-MfaSimulator reads them from a pipe); by default no secret is ever printed.
    let connection_secrets = args.iter().any(|a| a == "--connection-secrets");
    let args: Vec<String> = args
        .into_iter()
        .filter(|a| a != "--connection-secrets")
        .collect();
    let mut radius = RadiusOptions {
        enabled: false,
        port: 0,
        secret: mfa_sim::radius::DEMO_RADIUS_SECRET.into(),
    };
    let (config, stdin_eof, write_cert) = parse(&args, &mut radius).unwrap_or_else(|e| fail(&e));
    if !radius.enabled && radius.port != 0 {
        fail("--radius-port needs --radius");
    }
    let users: Vec<String> = config.credentials.iter().map(|(u, _)| u.clone()).collect();
    let demo = config.credentials.len() == 1 && config.credentials[0].0 == DEMO_USER;
    let duo_ikey = config.duo_integration_key.clone();
    let demo_caller = demo && config.credentials[0].1 == mfa_sim::DEMO_PASSWORD;
    let demo_duo = config.duo_secret_key == mfa_sim::duo::DEMO_SECRET_KEY;
    let demo_okta = config.okta_api_token == mfa_sim::okta::DEMO_API_TOKEN;
    let running = Running::start(config).await.unwrap_or_else(|e| fail(&e));
    if let (Some(path), Some(pem)) = (&write_cert, &running.cert_pem) {
        std::fs::write(path, pem).unwrap_or_else(|e| fail(&format!("--write-cert '{path}': {e}")));
    }
    println!("{}", running.url);
    if let Some(sha) = &running.cert_sha256 {
        println!("certificate-sha256: {sha}");
    }
    match (users.is_empty(), demo) {
        (true, _) => println!("caller-authentication: none (anonymous)"),
        (false, true) => println!(
            "caller-authentication: basic, demo user '{DEMO_USER}' (demo password: see README)"
        ),
        (false, false) => println!("caller-authentication: basic, users {}", users.join(", ")),
    }
    let base = running
        .url
        .split_once("://")
        .and_then(|(scheme, rest)| {
            rest.split_once('/')
                .map(|(host, _)| format!("{scheme}://{host}"))
        })
        .unwrap_or_default();
    println!("duo-api: {base} integration key {duo_ikey}");
    println!("okta-api: {base}");
    let radius_server = if radius.enabled {
        let addr = std::net::SocketAddr::new(running.addr.ip(), radius.port);
        let r = mfa_sim::radius::RadiusRunning::start_with(
            addr,
            &radius.secret,
            Some(running.directory()),
        )
        .await
        .unwrap_or_else(|e| fail(&e));
        let demo = if radius.secret == mfa_sim::radius::DEMO_RADIUS_SECRET {
            " (demo shared secret: see README)"
        } else {
            ""
        };
        println!("radius: {}{demo}", r.addr);
        Some(r)
    } else {
        None
    };
    let pins: Vec<String> = running.cert_sha256.iter().cloned().collect();
    let connection = |mut config: serde_json::Value, secrets: serde_json::Value| {
        if !pins.is_empty() && config.get("uri").is_some() {
            config["serverCertificateSha256"] = serde_json::json!(pins);
        }
        println!(
            "connection: {}",
            serde_json::json!({ "config": config, "secrets": secrets })
        );
    };
    // Which secret the connection needs, and (demo secrets, with --connection-secrets only)
    // its value; null: the host supplies it.
    let demo_secret = |demo: bool, name: &str, value: &str| {
        let mut m = serde_json::Map::new();
        let shown = demo && connection_secrets;
        m.insert(
            name.to_owned(),
            if shown {
                value.into()
            } else {
                serde_json::Value::Null
            },
        );
        serde_json::Value::Object(m)
    };
    connection(
        serde_json::json!({"provider": "mfaserver", "uri": running.url, "userName": users.first()}),
        demo_secret(demo_caller, "basicPassword", mfa_sim::DEMO_PASSWORD),
    );
    connection(
        serde_json::json!({"provider": "duo", "uri": base, "integrationKey": duo_ikey}),
        demo_secret(demo_duo, "duoSecretKey", mfa_sim::duo::DEMO_SECRET_KEY),
    );
    connection(
        serde_json::json!({"provider": "okta", "uri": base}),
        demo_secret(demo_okta, "oktaApiToken", mfa_sim::okta::DEMO_API_TOKEN),
    );
    // The simulator signs privacyIDEA's answers with its demo key, so its ready connection
    // pins it (a file the engine reads, in a folder made for this run and removed at the end).
    let signing_key = write_signing_key().unwrap_or_else(|e| fail(&e));
    connection(
        serde_json::json!({"provider": "privacyidea", "uri": base, "userName": users.first(), "realm": mfa_sim::privacyidea::users::REALM, "responseSigningKeyFile": signing_key.1}),
        demo_secret(demo_caller, "basicPassword", mfa_sim::DEMO_PASSWORD),
    );
    if let Some(r) = &radius_server {
        connection(
            serde_json::json!({"provider": "radius", "servers": [r.addr.to_string()], "passwordMode": "none", "nasIdentifier": "MfaApproval"}),
            demo_secret(
                radius.secret == mfa_sim::radius::DEMO_RADIUS_SECRET,
                "radiusSharedSecret",
                mfa_sim::radius::DEMO_RADIUS_SECRET,
            ),
        );
    }
    println!("ready");
    let stdin_closed = async {
        if stdin_eof {
            use tokio::io::AsyncReadExt;
            let mut stdin = tokio::io::stdin();
            let mut buf = [0u8; 256];
            while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
        } else {
            std::future::pending::<()>().await
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
        _ = stdin_closed => {}
    }
    if let Some(r) = radius_server {
        r.stop().await;
    }
    running.stop().await;
    let _ = std::fs::remove_dir_all(&signing_key.0);
}

/// Writes the demo signing public key (`DEMO_SIGNING_PUBLIC_KEY`) into a new folder of its
/// own under the temporary folder (refusing one that already exists); its folder and path.
fn write_signing_key() -> Result<(std::path::PathBuf, String), String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("mfa-sim-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir)
        .map_err(|e| format!("cannot make '{}' for the signing key: {e}", dir.display()))?;
    let path = dir.join("privacyidea-signing-public.pem");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot write '{}': {e}", path.display()))?;
    std::io::Write::write_all(
        &mut file,
        mfa_sim::privacyidea::wire::DEMO_SIGNING_PUBLIC_KEY.as_bytes(),
    )
    .map_err(|e| format!("cannot write '{}': {e}", path.display()))?;
    let shown = path
        .to_str()
        .ok_or_else(|| format!("'{}' is not UTF-8", path.display()))?
        .to_owned();
    Ok((dir, shown))
}
