//! Benchmark (prints numbers, asserts nothing): time and peak extra memory to read an
//! ordinary answer and hostile 4 MiB bodies of every shape, then an honest request beside
//! two hostile servers over loopback.
//!
//! `cargo run --release -p mfa-engine --example hostile_bodies` (or `pwsh ./build.ps1 Bench`).
//! Budget: at most 100 ms and 32 MiB extra for any shape.

#[path = "../tests/common/mod.rs"]
mod common;
use common::{demo_client, hostile, run};

use mfa_engine::testing::decide_soap_answer;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Counts live bytes and their peak.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only adds counters.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn measure(body: &[u8]) -> (f64, f64, String) {
    let mut best = f64::MAX;
    let mut peak = 0usize;
    let mut verdict = String::new();
    for _ in 0..5 {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let clock = Instant::now();
        let r = decide_soap_answer(body);
        best = best.min(clock.elapsed().as_secs_f64() * 1000.0);
        peak = peak.max(PEAK.load(Ordering::Relaxed) - base);
        verdict = match r {
            Ok(status) => format!("{status:?}"),
            Err((k, _)) => k.name(),
        };
    }
    (best, peak as f64 / (1024.0 * 1024.0), verdict)
}

fn measure_duo(body: &[u8]) -> (f64, f64, String) {
    let mut best = f64::MAX;
    let mut peak = 0usize;
    let mut verdict = String::new();
    for _ in 0..5 {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let clock = Instant::now();
        let r = mfa_engine::testing::decide_duo_status_body(body, false);
        best = best.min(clock.elapsed().as_secs_f64() * 1000.0);
        peak = peak.max(PEAK.load(Ordering::Relaxed) - base);
        verdict = match r {
            Ok(Some(d)) => format!("{:?}", d.status),
            Ok(None) => "waiting".into(),
            Err(e) => format!("protocol ({e})"),
        };
    }
    (best, peak as f64 / (1024.0 * 1024.0), verdict)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("Reading answers (best of 5; peak extra heap while reading; budget 100 ms / 32 MiB):");
    println!("| body | size | time | peak extra memory | result |");
    println!("|---|---|---|---|---|");
    let ordinary = hostile::ordinary();
    let (base_ms, base_mib, v) = measure(&ordinary);
    println!(
        "| ordinary answer | {} B | {base_ms:.3} ms | {base_mib:.3} MiB | {v} |",
        ordinary.len()
    );
    for (name, body) in hostile::shapes() {
        let (ms, mib, v) = measure(&body);
        println!(
            "| {name} | {:.1} MiB | {ms:.2} ms | {mib:.2} MiB | {v} |",
            body.len() as f64 / (1024.0 * 1024.0)
        );
    }

    println!("\nDuo JSON answers through the strict reader (same budget):");
    println!("| body | size | time | peak extra memory | result |");
    println!("|---|---|---|---|---|");
    for (name, body) in hostile::duo_shapes() {
        let (ms, mib, v) = measure_duo(&body);
        println!(
            "| {name} | {:.1} MiB | {ms:.2} ms | {mib:.2} MiB | {v} |",
            body.len() as f64 / (1024.0 * 1024.0)
        );
    }

    // An honest request (alice answers after ~1 s, deadline 3 s) beside two hostile
    // servers, each asked twice, all on the same two-thread runtime.
    let sim = mfa_sim::Running::start(mfa_sim::SimConfig::default())
        .await
        .expect("sim");
    let honest = demo_client(&sim, "");
    let alice = r#"{"userName":"alice@contoso.com","timeoutSeconds":3}"#;
    let mut hostile_runs = Vec::new();
    for (_, body) in hostile::shapes()
        .into_iter()
        .filter(|(n, _)| *n == "many attributes" || *n == "character references")
    {
        let client = hostile::plain_client(&hostile::serve_forever(body).await);
        for _ in 0..2 {
            let c = client.clone();
            hostile_runs.push(tokio::spawn(async move {
                run(&c, r#"{"userName":"x@contoso.com","timeoutSeconds":3}"#).await
            }));
        }
    }
    let clock = Instant::now();
    let beside = run(&honest, alice).await;
    let honest_ms = clock.elapsed().as_secs_f64() * 1000.0;
    for h in hostile_runs {
        let _ = h.await;
    }
    let clock = Instant::now();
    let _ = run(&honest, alice).await;
    let alone_ms = clock.elapsed().as_secs_f64() * 1000.0;
    println!(
        "\nHonest approval beside 4 hostile requests: {:?} in {honest_ms:.0} ms (alone: {alone_ms:.0} ms; ratio {:.2}; deadline 3000 ms)",
        beside.status,
        honest_ms / alone_ms
    );
}
