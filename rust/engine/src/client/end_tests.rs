//! Every way a request ends goes through the one end exactly once: one audit record, one
//! progress `done`, one final outcome, whoever else tries to end it too.

use super::*;
use crate::audit::Audit;
use crate::mfaserver::decide::{self, AuthAnswer};
use crate::provider::BoxFuture;

/// Answers by user name: alice approves, bob denies, carol never answers, boom panics.
#[derive(Debug)]
struct Scripted;

impl Provider for Scripted {
    fn name(&self) -> &'static str {
        "scripted"
    }

    fn run<'a>(&'a self, query: &'a Query, _: &'a Progress) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            let user = query.user_name.clone().unwrap_or_default();
            let blank = Outcome::new("authenticate", "scripted", &user, true);
            let code = match user.as_str() {
                "alice" => 21,
                "bob" => 129,
                "boom" => panic!("a provider bug"),
                _ => std::future::pending().await,
            };
            decide::apply(
                blank,
                &AuthAnswer {
                    result: Some(code == 21),
                    call_result: Some((code, String::new())),
                    error: None,
                    request_id: Some(format!("id-{user}")),
                },
            )
        })
    }
}

struct Fixture {
    client: Client,
    path: std::path::PathBuf,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixture(name: &str) -> Fixture {
    let dir = std::env::temp_dir().join(format!("mfa-end-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.log");
    let json = format!(
        r#"{{"uri":"https://127.0.0.1:1/x","auditPath":{}}}"#,
        serde_json::to_string(&path).unwrap()
    );
    let config = ClientConfig::from_json(json.as_bytes()).unwrap();
    let audit = Audit::from_config(&config, &Secrets::default(), None)
        .unwrap()
        .map(Arc::new);
    assert!(audit.is_some());
    let mut client = Client::with_provider(Arc::new(Scripted), Arc::default(), true);
    client.audit = audit;
    Fixture {
        client,
        path,
        _dir: TempDir(dir),
    }
}

/// The records for `user` in the audit file.
fn records(f: &Fixture, user: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(&f.path).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["userName"] == user)
        .collect()
}

fn query(user: &str, seconds: u32) -> Query {
    Query::from_json(format!(r#"{{"userName":"{user}","timeoutSeconds":{seconds}}}"#).as_bytes())
        .unwrap()
}

#[tokio::test]
async fn every_run_ends_once_with_one_record_and_one_done() {
    let f = fixture("run");
    for (user, status) in [
        ("alice", Status::Approved),
        ("bob", Status::Denied),
        ("carol", Status::TimedOut),
        ("boom", Status::Failed),
    ] {
        let (progress, end) = (Progress::default(), RequestEnd::default());
        let q = query(user, 1);
        let o = f
            .client
            .run_to_end(&q, &progress, &Withdrawals::default(), &end)
            .await
            .expect("the run ends it");
        assert_eq!(o.status, status, "{user}: {}", o.message);
        assert_eq!((end.ends(), end.refused()), (1, 0), "{user}");
        let snap = progress.snapshot();
        assert_eq!(snap.stage, "done", "{user}");
        let recs = records(&f, user);
        assert_eq!(recs.len(), 1, "{user}: {recs:?}");
        assert_eq!(recs[0]["status"], status.name(), "{user}");
        // A cancel after the end changes nothing and writes nothing.
        let late = f.client.end_by_host(
            &q,
            &progress,
            &Withdrawals::default(),
            &end,
            HostEnd::Cancelled,
            0,
            0,
        );
        assert!(late.is_none(), "{user}");
        assert!(f.client.end(&q, &progress, &end, o.clone()).await.is_none());
        assert_eq!((end.ends(), end.refused()), (1, 2), "{user}");
        assert_eq!(records(&f, user).len(), 1, "{user}");
        assert_eq!(
            progress.snapshot().updates,
            snap.updates,
            "{user}: no second done"
        );
    }
}

#[tokio::test]
async fn a_host_end_wins_over_the_run_and_the_run_writes_nothing() {
    let f = fixture("host");
    for (how, user, status) in [
        (HostEnd::Cancelled, "carol", Status::Cancelled),
        (HostEnd::Expired, "dave", Status::TimedOut),
        (HostEnd::Died, "erin", Status::Failed),
    ] {
        let (progress, end) = (Progress::default(), RequestEnd::default());
        let q = query(user, 30);
        let run = {
            let (client, q, progress, end) =
                (f.client.clone(), q.clone(), progress.clone(), end.clone());
            tokio::spawn(async move {
                client
                    .run_to_end(&q, &progress, &Withdrawals::default(), &end)
                    .await
            })
        };
        // The run is waiting for its (silent) user when the host ends the request.
        while progress.snapshot().stage != "started" && !run.is_finished() {
            tokio::task::yield_now().await;
        }
        let (o, audit) = f
            .client
            .end_by_host(&q, &progress, &Withdrawals::default(), &end, how, 0, 5)
            .expect("the host ends it");
        assert_eq!(o.status, status);
        assert!(!o.approved);
        assert_eq!(progress.snapshot().stage, "done");
        audit.expect("a record to write").write().await;
        run.abort();
        assert!(run.await.map_or(true, |ended| ended.is_none()));
        assert_eq!(end.ends(), 1);
        let recs = records(&f, user);
        assert_eq!(recs.len(), 1, "{how:?}: {recs:?}");
        assert_eq!(recs[0]["status"], status.name());
    }
    // A run that answers after the host ended it writes nothing.
    let (progress, end) = (Progress::default(), RequestEnd::default());
    let q = query("alice", 30);
    let _ = f
        .client
        .end_by_host(
            &q,
            &progress,
            &Withdrawals::default(),
            &end,
            HostEnd::Cancelled,
            0,
            0,
        )
        .unwrap();
    let late = f
        .client
        .run_to_end(&q, &progress, &Withdrawals::default(), &end)
        .await;
    assert!(
        late.is_none(),
        "the approval after the cancel is not an outcome"
    );
    let recs = records(&f, "alice");
    assert_eq!(
        recs.len(),
        0,
        "no record: the cancel's was not written, the run's neither"
    );
    assert_eq!((end.ends(), end.refused()), (1, 1));
}
