//! Environment proxies are ignored: with HTTP(S)_PROXY/ALL_PROXY pointing at a listener
//! on loopback, an approval goes straight to the server and the "proxy" sees nothing (so
//! it never sees the credential). A control request through a default reqwest client
//! shows the same variables would have been used.
//!
//! This binary sets process-wide environment variables, so it holds this one test only.

mod common;
use common::*;
use mfa_engine::Status;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[test]
fn environment_proxies_are_never_used() {
    // The variables are set before any runtime thread exists (setenv beside running
    // threads is not safe), then the test runs on a runtime of its own.
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", std_listener.local_addr().unwrap());
    for name in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        std::env::set_var(name, &proxy);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run_through_the_environment(std_listener));
}

async fn run_through_the_environment(std_listener: std::net::TcpListener) {
    std_listener.set_nonblocking(true).unwrap();
    let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(tcp);
        }
    });

    let sim = sim().await;
    let o = approve(&demo_client(&sim, ""), "alice@contoso.com").await;
    assert_eq!(o.status, Status::Approved, "{}", o.message);
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "the engine used an environment proxy"
    );

    // Control: a client that honours the environment does go to the proxy.
    let control = reqwest::Client::builder().build().unwrap();
    let _ = control
        .get(sim.url.replace("https://", "http://"))
        .send()
        .await;
    assert!(
        seen.load(Ordering::SeqCst) > 0,
        "the control request did not use the proxy: the test proves nothing"
    );
}
