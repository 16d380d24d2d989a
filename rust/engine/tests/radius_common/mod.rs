//! Helpers for the RADIUS tests: clients for a list of servers, a scripted hostile UDP
//! server, and a port nobody listens on.
#![allow(dead_code)]

use mfa_engine::{Client, ClientConfig, Outcome, Query, Secrets};
use mfa_protocol::radius::server::{read_request, Request};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::UdpSocket;
use zeroize::Zeroizing;

pub const SECRET: &str = "hostile-test-shared-secret-0123";

pub fn client_for(servers: &[String], extra: &str, secret: &str, password: Option<&str>) -> Client {
    let list: Vec<String> = servers.iter().map(|s| format!("\"{s}\"")).collect();
    let json = format!(
        r#"{{"provider":"radius","servers":[{}]{}{extra}}}"#,
        list.join(","),
        if extra.is_empty() { "" } else { "," }
    );
    let config = ClientConfig::from_json(json.as_bytes()).expect("valid radius config");
    let secrets = Secrets {
        radius_shared_secret: Some(Zeroizing::new(secret.into())),
        radius_password: password.map(|p| Zeroizing::new(p.into())),
        ..Default::default()
    };
    Client::new(&config, secrets).expect("client builds")
}

pub async fn run(client: &Client, user: &str, timeout: f64) -> Outcome {
    run_json(
        client,
        &format!(r#"{{"userName":"{user}","timeoutSeconds":{timeout}}}"#),
    )
    .await
}

pub async fn run_json(client: &Client, json: &str) -> Outcome {
    let q = Query::from_json(json.as_bytes()).expect("valid request");
    client.run(&q).await
}

/// A UDP port with nothing listening (bound, then closed).
pub async fn closed_port() -> String {
    let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    s.local_addr().unwrap().to_string()
}

/// One datagram a hostile server sends: its bytes, and whether it comes from another
/// port than the one the request went to.
pub struct Datagram {
    pub bytes: Vec<u8>,
    pub from_other_port: bool,
}

pub fn send(bytes: Vec<u8>) -> Datagram {
    Datagram {
        bytes,
        from_other_port: false,
    }
}

/// A server that answers every request with what `script` returns (read with `secret`).
pub async fn hostile<F>(secret: &'static str, script: F) -> SocketAddr
where
    F: Fn(&Request) -> Vec<Datagram> + Send + Sync + 'static,
{
    let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    let other = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 8192];
        loop {
            let Ok((n, from)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let Ok(request) = read_request(&buf[..n], secret.as_bytes(), true) else {
                continue;
            };
            for s in script(&request) {
                let via = if s.from_other_port { &other } else { &socket };
                let _ = via.send_to(&s.bytes, from).await;
            }
        }
    });
    addr
}
