//! Shared helpers: start a simulator in-process, build clients, run queries.
#![allow(dead_code)]

pub mod fake_duo;
pub mod fake_okta;
pub mod hostile;
pub mod matrix;
pub mod mutate;
pub mod spellings;
pub mod strict;
pub mod strict_json;

use mfa_engine::{Client, ClientConfig, Outcome, Query, Secrets};
use mfa_sim::{Directory, Running, SimConfig, User};
use std::path::PathBuf;
use std::time::Duration;
use zeroize::Zeroizing;

/// The name libtest gives the test `test` of the module `module` (its `module_path!()`): the
/// path without the crate's name, as a child process of this test binary is asked to run it
/// (`<binary> <name> --exact`).
pub fn test_name(module: &str, test: &str) -> String {
    match module.split_once("::") {
        Some((_, path)) => format!("{path}::{test}"),
        None => test.to_string(),
    }
}

pub async fn sim_with(f: impl FnOnce(&mut SimConfig)) -> Running {
    let mut config = SimConfig {
        no_response_after: Duration::from_millis(800),
        ..Default::default()
    };
    f(&mut config);
    Running::start(config).await.expect("simulator starts")
}

pub async fn sim() -> Running {
    sim_with(|_| {}).await
}

pub fn demo_with(users: Vec<User>) -> Directory {
    let d = Directory::demo();
    for u in users {
        d.insert(u);
    }
    d
}

/// A config JSON pinned to the simulator's certificate, with the demo caller, plus `extra` fields.
pub fn config(sim: &Running, extra: &str) -> ClientConfig {
    let pin = sim.cert_sha256.clone().unwrap_or_default();
    let json = format!(
        r#"{{"uri":"{}","userName":"{}","serverCertificateSha256":["{pin}"]{}{extra}}}"#,
        sim.url,
        mfa_sim::DEMO_USER,
        if extra.is_empty() { "" } else { "," }
    );
    ClientConfig::from_json(json.as_bytes()).expect("valid config json")
}

pub fn password(p: &str) -> Secrets {
    Secrets {
        basic_password: Some(Zeroizing::new(p.into())),
        ..Default::default()
    }
}

pub fn demo_client(sim: &Running, extra: &str) -> Client {
    Client::new(&config(sim, extra), password(mfa_sim::DEMO_PASSWORD)).expect("client builds")
}

pub async fn approve(client: &Client, user: &str) -> Outcome {
    run(
        client,
        &format!(r#"{{"userName":"{user}","timeoutSeconds":30}}"#),
    )
    .await
}

pub async fn run(client: &Client, json: &str) -> Outcome {
    client
        .run(&Query::from_json(json.as_bytes()).expect("valid request"))
        .await
}

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mfa-engine-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The simulator's Duo API base (`https://127.0.0.1:PORT`).
pub fn duo_base(sim: &Running) -> String {
    format!("https://{}", sim.addr)
}

/// A Duo config JSON for the simulator (demo integration key, pinned), plus `extra` fields.
pub fn duo_config(sim: &Running, extra: &str) -> ClientConfig {
    let pin = sim.cert_sha256.clone().unwrap_or_default();
    let json = format!(
        r#"{{"provider":"duo","uri":"{}","integrationKey":"{}","serverCertificateSha256":["{pin}"]{}{extra}}}"#,
        duo_base(sim),
        mfa_sim::duo::DEMO_INTEGRATION_KEY,
        if extra.is_empty() { "" } else { "," }
    );
    ClientConfig::from_json(json.as_bytes()).expect("valid duo config json")
}

pub fn duo_secret(key: &str) -> Secrets {
    Secrets {
        duo_secret_key: Some(Zeroizing::new(key.into())),
        ..Default::default()
    }
}

pub fn duo_client(sim: &Running, extra: &str) -> Client {
    Client::new(
        &duo_config(sim, extra),
        duo_secret(mfa_sim::duo::DEMO_SECRET_KEY),
    )
    .expect("duo client builds")
}

/// The simulator's Okta org URL (`https://127.0.0.1:PORT`).
pub fn okta_base(sim: &Running) -> String {
    format!("https://{}", sim.addr)
}

/// An Okta config JSON for the simulator (pinned), plus `extra` fields.
pub fn okta_config(sim: &Running, extra: &str) -> ClientConfig {
    let pin = sim.cert_sha256.clone().unwrap_or_default();
    let json = format!(
        r#"{{"provider":"okta","uri":"{}","serverCertificateSha256":["{pin}"]{}{extra}}}"#,
        okta_base(sim),
        if extra.is_empty() { "" } else { "," }
    );
    ClientConfig::from_json(json.as_bytes()).expect("valid okta config json")
}

pub fn okta_token(token: &str) -> Secrets {
    Secrets {
        okta_api_token: Some(Zeroizing::new(token.into())),
        ..Default::default()
    }
}

pub fn okta_client(sim: &Running, extra: &str) -> Client {
    Client::new(
        &okta_config(sim, extra),
        okta_token(mfa_sim::okta::DEMO_API_TOKEN),
    )
    .expect("okta client builds")
}
