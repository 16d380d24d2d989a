//! Progress through the C ABI exactly as the header lists it (issues 16, 25, 29), for every
//! provider, a single approver and several: a reader sees `started` first (as soon as
//! `mfa_request_start` returns), the approvers all pending, `pushed` while the request is
//! still pending, each answer counted as it arrives ("1 of 2 answered", the other still
//! pending, each approver's own stage), and `done` once, last, with the outcome's message;
//! nothing after it; the stages only move forward (a several-approver request on a provider
//! that says who a name is goes through `resolving` first). No provider writes `done` itself
//! (the RADIUS provider did, which stopped a several-approver request's progress after the
//! first answer). Five providers: MFA Server, Duo, Okta, RADIUS and privacyIDEA, each
//! against the simulator, whose scripted user `slow@contoso.com` answers on all of them.

mod common;
use common::*;
use mfa_approval::*;
use serde_json::{json, Value};
use std::ptr;
use std::time::{Duration, Instant};

const STAGES: &[&str] = &[
    "started",
    "resolving",
    "checking",
    "pushed",
    "waiting",
    "done",
];
const ALICE: &str = "alice@contoso.com";
/// Scripted to approve 3 s after the push: alice (1 s) answers first, with a margin.
const SLOW: &str = "slow@contoso.com";

fn progress(req: *mut mfa_request) -> Value {
    let mut len = 0usize;
    assert_eq!(
        unsafe { mfa_request_progress(req, ptr::null_mut(), 0, &mut len) },
        mfa_result::MFA_BUFFER_TOO_SMALL
    );
    let mut buf = vec![0u8; len + 256];
    assert_eq!(
        unsafe { mfa_request_progress(req, buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    serde_json::from_slice(&buf[..len]).unwrap()
}

/// The simulator with `slow@contoso.com` scripted (every provider answers from the
/// same directory).
fn sim_with_slow_user() -> mfa_sim::Background {
    let sim = sim();
    sim.directory()
        .insert(mfa_sim::User::new(SLOW, mfa_sim::Answer::Approve, 3.0));
    sim
}

fn client_of(json: &str, kind: u32, secret: &str) -> *mut mfa_client {
    let secret = mfa_secret {
        kind,
        data: secret.as_ptr(),
        len: secret.len(),
    };
    let mut client = ptr::null_mut();
    assert_eq!(
        unsafe { mfa_client_new(json.as_ptr(), json.len(), &secret, 1, &mut client) },
        mfa_result::MFA_OK,
        "{}",
        last_error_text()
    );
    client
}

fn duo_client(sim: &mfa_sim::Background) -> *mut mfa_client {
    let json = format!(
        r#"{{"provider":"duo","uri":"https://{}","integrationKey":"{}","serverCertificateSha256":["{}"]}}"#,
        sim.addr,
        mfa_sim::duo::DEMO_INTEGRATION_KEY,
        sim.cert_sha256.as_deref().unwrap()
    );
    client_of(
        &json,
        MFA_SECRET_DUO_SECRET_KEY,
        mfa_sim::duo::DEMO_SECRET_KEY,
    )
}

fn okta_client(sim: &mfa_sim::Background) -> *mut mfa_client {
    let json = format!(
        r#"{{"provider":"okta","uri":"https://{}","serverCertificateSha256":["{}"]}}"#,
        sim.addr,
        sim.cert_sha256.as_deref().unwrap()
    );
    client_of(
        &json,
        MFA_SECRET_OKTA_API_TOKEN,
        mfa_sim::okta::DEMO_API_TOKEN,
    )
}

/// A client for the simulator's privacyIDEA side (the demo caller as the service account).
fn privacyidea_client(sim: &mfa_sim::Background) -> *mut mfa_client {
    let json = format!(
        r#"{{"provider":"privacyidea","uri":"https://{}","userName":"{}","serverCertificateSha256":["{}"],"realm":"contoso"}}"#,
        sim.addr,
        mfa_sim::DEMO_USER,
        sim.cert_sha256.as_deref().unwrap()
    );
    client_of(&json, MFA_SECRET_BASIC_PASSWORD, mfa_sim::DEMO_PASSWORD)
}

/// The simulator's RADIUS side on its own runtime thread, answering from `sim`'s
/// directory; a client for it (RADIUS cannot say who a name is: several approvers only
/// with `allowNameOnlyIdentity`).
fn radius_client(sim: &mfa_sim::Background) -> *mut mfa_client {
    let directory = sim.directory();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let radius = mfa_sim::radius::RadiusRunning::start_with(
                "127.0.0.1:0".parse().unwrap(),
                mfa_sim::radius::DEMO_RADIUS_SECRET,
                Some(directory),
            )
            .await
            .unwrap();
            tx.send(radius.addr).unwrap();
            std::future::pending::<()>().await;
        });
    });
    let addr = rx.recv().unwrap();
    client_of(
        &format!(r#"{{"provider":"radius","servers":["{addr}"],"allowNameOnlyIdentity":true}}"#),
        MFA_SECRET_RADIUS_SHARED_SECRET,
        mfa_sim::radius::DEMO_RADIUS_SECRET,
    )
}

/// What a fast reader saw of one request.
struct Observed {
    /// Each change of (stage, pending).
    seen: Vec<(String, bool)>,
    /// Every snapshot read while the request was pending.
    pending_snapshots: Vec<Value>,
    /// The snapshot after the end, and the outcome.
    last: Value,
    outcome: Value,
    status: u32,
}

fn observe(client: *mut mfa_client, request_json: &str) -> Observed {
    let req = start(client, request_json);
    // Visible as soon as start returned: started, and an approval's approvers all pending.
    let first = progress(req);
    assert_eq!(first["stages"][0], "started", "{first}");
    assert_eq!(first["answered"], 0, "{first}");
    let mut seen: Vec<(String, bool)> = Vec::new();
    let mut pending_snapshots = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        // Progress first, then status: a snapshot read while the status was still pending
        // was taken before the outcome was published. The end of the request writes `done`
        // just before it publishes the outcome, so a reader may catch `done` with the status
        // still pending for an instant; the outcome must then follow at once (a provider's
        // own `done` would leave the request pending while the others are waited on).
        let p = progress(req);
        let mut status = 0u32;
        unsafe { mfa_request_poll(req, 0, &mut status) };
        if status == MFA_STATUS_PENDING && p["stage"] == "done" {
            unsafe { mfa_request_poll(req, 500, &mut status) };
            assert_ne!(
                status, MFA_STATUS_PENDING,
                "done, yet still pending 0.5 s later (a provider wrote it): {p}"
            );
        }
        let stage = p["stage"].as_str().unwrap().to_string();
        let pending = status == MFA_STATUS_PENDING;
        if seen.last() != Some(&(stage.clone(), pending)) {
            seen.push((stage, pending));
        }
        if !pending {
            break status;
        }
        if pending_snapshots.last() != Some(&p) {
            pending_snapshots.push(p);
        }
        assert!(Instant::now() < deadline, "still pending: {seen:?}");
        std::thread::sleep(Duration::from_millis(2));
    };
    let last = progress(req);
    let outcome = outcome(req);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(progress(req), last, "nothing changes after done");
    unsafe { mfa_request_free(req) };
    Observed {
        seen,
        pending_snapshots,
        last,
        outcome,
        status,
    }
}

/// The rules every request's progress keeps: stages forward only, `pushed` while pending,
/// `done` once and last with the outcome's message, nobody pending at the end.
fn check_common(provider: &str, o: &Observed, want_stages: &[&str]) {
    let Observed { seen, last, .. } = o;
    assert_eq!(last["stages"], json!(want_stages), "{provider}: {seen:?}");
    assert_eq!(
        seen.last().unwrap(),
        &("done".to_string(), false),
        "{provider}: {seen:?}"
    );
    let ranks: Vec<usize> = seen
        .iter()
        .map(|(s, _)| {
            STAGES
                .iter()
                .position(|x| x == s)
                .unwrap_or_else(|| panic!("{provider}: unknown stage {s:?}"))
        })
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "{provider}: stages go backwards: {seen:?}"
    );
    assert!(
        o.pending_snapshots.iter().all(|p| p["stage"] != "done"),
        "{provider}: done while the request was pending (a provider wrote it)"
    );
    assert!(
        o.pending_snapshots.iter().any(|p| p["stages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "pushed")),
        "{provider}: pushed only after the outcome: {seen:?}"
    );
    assert_eq!(last["message"], o.outcome["message"], "{provider}");
    assert_eq!(last["pending"], json!([]), "{provider}: {last}");
    let dones = last["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| *s == "done")
        .count();
    assert_eq!(dones, 1, "{provider}: {last}");
}

fn single(provider: &str, client: *mut mfa_client, want_stages: &[&str]) {
    let o = observe(
        client,
        &format!(r#"{{"userName":"{ALICE}","timeoutSeconds":30}}"#),
    );
    assert_eq!(o.status, MFA_STATUS_APPROVED, "{provider}: {}", o.outcome);
    check_common(provider, &o, want_stages);
    let first = &o.pending_snapshots[0];
    assert_eq!(first["needed"], 1, "{provider}: {first}");
    assert_eq!(first["pending"], json!([ALICE]), "{provider}: {first}");
    assert_eq!(o.last["answered"], 1, "{provider}");
    assert_eq!(o.last["approvers"][0]["userName"], ALICE, "{provider}");
    assert_eq!(o.last["approvers"][0]["status"], "Approved", "{provider}");
}

/// alice approves after 1 s, slow after 3 s, `require all`: between the two answers the
/// progress says one of two answered, slow pending, alice Approved, slow still at their
/// own stage; it ends Approved with both counted.
fn several(provider: &str, client: *mut mfa_client, want_stages: &[&str]) {
    let o = observe(
        client,
        &format!(r#"{{"approvers":["{SLOW}","{ALICE}"],"require":"all","timeoutSeconds":30}}"#),
    );
    assert_eq!(o.status, MFA_STATUS_APPROVED, "{provider}: {}", o.outcome);
    check_common(provider, &o, want_stages);
    let first = &o.pending_snapshots[0];
    assert_eq!(
        (&first["needed"], &first["answered"], &first["pending"]),
        (&json!(2), &json!(0), &json!([SLOW, ALICE])),
        "{provider}: {first}"
    );
    let between = o
        .pending_snapshots
        .iter()
        .find(|p| p["answered"] == 1)
        .unwrap_or_else(|| {
            panic!(
                "{provider}: never one of two answered: {:?}",
                o.pending_snapshots
            )
        });
    assert_eq!(between["pending"], json!([SLOW]), "{provider}: {between}");
    assert_eq!(
        between["approvers"][1]["status"], "Approved",
        "{provider}: {between}"
    );
    assert!(
        between["approvers"][0].get("status").is_none(),
        "{provider}: {between}"
    );
    assert!(
        ["pushed", "waiting"].contains(&between["approvers"][0]["stage"].as_str().unwrap()),
        "{provider}: slow's own stage: {between}"
    );
    assert!(
        o.pending_snapshots.iter().any(|p| p["answered"] == 1
            && p["message"].as_str().unwrap().starts_with(&format!(
                "{ALICE}: Approved; 1 of 2 answered; waiting for {SLOW}"
            ))),
        "{provider}: no message says so: {:?}",
        o.pending_snapshots
    );
    // Every later snapshot (while pending) still counts alice, until slow answers.
    let after = o
        .pending_snapshots
        .iter()
        .skip_while(|p| p["answered"] != 1)
        .collect::<Vec<_>>();
    assert!(
        after.iter().all(|p| p["answered"].as_u64().unwrap() >= 1),
        "{provider}: an answer was forgotten"
    );
    assert_eq!(o.last["answered"], 2, "{provider}: {}", o.last);
    for a in o.last["approvers"].as_array().unwrap() {
        assert_eq!(a["status"], "Approved", "{provider}: {}", o.last);
    }
}

#[test]
fn mfaserver_single_and_several() {
    let sim = sim_with_slow_user();
    let client = client(&sim);
    single("mfaserver", client, &["started", "pushed", "done"]);
    several(
        "mfaserver",
        client,
        &["started", "resolving", "pushed", "done"],
    );
    unsafe { mfa_client_free(client) };
}

#[test]
fn duo_single_and_several() {
    let sim = sim_with_slow_user();
    let client = duo_client(&sim);
    single(
        "duo",
        client,
        &["started", "checking", "pushed", "waiting", "done"],
    );
    // The identity lookup is the preauth the push needs: no `checking` of its own after it.
    several(
        "duo",
        client,
        &["started", "resolving", "pushed", "waiting", "done"],
    );
    unsafe { mfa_client_free(client) };
}

#[test]
fn okta_single_and_several() {
    let sim = sim_with_slow_user();
    let client = okta_client(&sim);
    single(
        "okta",
        client,
        &["started", "checking", "pushed", "waiting", "done"],
    );
    several("okta", client, STAGES);
    unsafe { mfa_client_free(client) };
}

#[test]
fn radius_single_and_several() {
    let sim = sim_with_slow_user();
    let client = radius_client(&sim);
    let want = ["started", "pushed", "done"];
    single("radius", client, &want);
    // Names only (allowNameOnlyIdentity): nothing to resolve.
    several("radius", client, &want);
    unsafe { mfa_client_free(client) };
}

#[test]
fn privacyidea_single_and_several() {
    let sim = sim_with_slow_user();
    let client = privacyidea_client(&sim);
    single(
        "privacyidea",
        client,
        &["started", "checking", "pushed", "waiting", "done"],
    );
    several("privacyidea", client, STAGES);
    unsafe { mfa_client_free(client) };
}

#[test]
fn a_cancelled_request_ends_done_and_stays_done() {
    let sim = sim();
    let duo = duo_client(&sim);
    let req = start(
        duo,
        r#"{"approvers":["carol@contoso.com","bob@contoso.com"],"require":"all","timeoutSeconds":30}"#,
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while progress(req)["stage"] != "waiting" {
        assert!(Instant::now() < deadline, "{}", progress(req));
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(unsafe { mfa_request_cancel(req) }, mfa_result::MFA_OK);
    let p = progress(req);
    assert_eq!(p["stage"], "done", "{p}");
    assert_eq!(
        p["stages"],
        json!(["started", "resolving", "pushed", "waiting", "done"]),
        "{p}"
    );
    assert_eq!(p["message"], outcome(req)["message"], "{p}");
    assert_eq!(
        p["pending"],
        json!([]),
        "nobody is waited on after a cancel: {p}"
    );
    assert_eq!(p["approvers"][0]["status"], "Cancelled", "{p}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(progress(req), p, "nothing changes after done");
    unsafe { mfa_request_free(req) };
    unsafe { mfa_client_free(duo) };
}
