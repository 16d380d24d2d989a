//! Every way a request ends through the C ABI (the provider's answer, the deadline, a
//! cancel, the host's expiry) ends it once, through the engine's one end: exactly one audit
//! record, the progress stage `done` carrying the outcome's status, and a cancel or expiry
//! after the end changes nothing.

mod common;
use common::*;
use mfa_approval::*;
use std::time::{Duration, Instant};

fn progress(req: *mut mfa_request) -> serde_json::Value {
    let mut buf = vec![0u8; 8192];
    let mut len = 0usize;
    assert_eq!(
        unsafe { mfa_request_progress(req, buf.as_mut_ptr(), buf.len(), &mut len) },
        mfa_result::MFA_OK
    );
    serde_json::from_slice(&buf[..len]).unwrap()
}

fn records(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("userName").is_some())
        .collect()
}

#[test]
fn every_end_through_the_abi_writes_one_record_and_one_done() {
    let sim = sim();
    let dir = std::env::temp_dir().join(format!("mfa-ffi-end-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let config = config_for(&sim).replacen(
        '{',
        &format!(
            r#"{{"auditPath":{},"#,
            serde_json::to_string(&path).unwrap()
        ),
        1,
    );
    let client = client_with(&config, mfa_sim::DEMO_PASSWORD).expect("client");
    enum End {
        Answer,
        Cancel,
        Expire,
    }
    let cases = [
        ("alice@contoso.com", 30, End::Answer, "Approved"),
        ("bob@contoso.com", 30, End::Answer, "Denied"),
        ("carol@contoso.com", 1, End::Answer, "TimedOut"),
        ("carol@contoso.com", 30, End::Cancel, "Cancelled"),
        ("carol@contoso.com", 30, End::Expire, "TimedOut"),
    ];
    for (i, (user, seconds, how, status)) in cases.into_iter().enumerate() {
        let req = start(
            client,
            &format!(r#"{{"userName":"{user}","timeoutSeconds":{seconds}}}"#),
        );
        match how {
            End::Answer => {
                wait(req);
            }
            End::Cancel | End::Expire => {
                let deadline = Instant::now() + Duration::from_secs(10);
                while progress(req)["stage"] == "started" {
                    assert!(Instant::now() < deadline, "never pushed");
                    std::thread::sleep(Duration::from_millis(20));
                }
                let r = match how {
                    End::Cancel => unsafe { mfa_request_cancel(req) },
                    _ => unsafe { mfa_request_expire(req) },
                };
                assert_eq!(r, mfa_result::MFA_OK);
            }
        }
        let o = outcome(req);
        assert_eq!(o["status"], status, "{i}: {o}");
        let p = progress(req);
        assert_eq!(p["stage"], "done", "{i}: {p}");
        // Ending it again changes nothing.
        assert_eq!(unsafe { mfa_request_cancel(req) }, mfa_result::MFA_OK);
        assert_eq!(unsafe { mfa_request_expire(req) }, mfa_result::MFA_OK);
        assert_eq!(outcome(req)["status"], status, "{i}");
        assert_eq!(
            progress(req)["updates"],
            p["updates"],
            "{i}: no second done"
        );
        // Free waits for a host end's record.
        unsafe { mfa_request_free(req) };
        let recs = records(&path);
        assert_eq!(recs.len(), i + 1, "{i}: one record per request: {recs:?}");
        assert_eq!(recs[i]["status"], status, "{i}");
        assert_eq!(
            recs[i]["id"], o["auditId"],
            "{i}: the host's outcome's record"
        );
    }
    unsafe { mfa_client_free(client) };
    let _ = std::fs::remove_dir_all(&dir);
}
