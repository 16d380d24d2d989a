//! The Duo Auth API v2 on the simulator's listener (paths `/auth/v2/*`, beside the SOAP
//! service): `ping`, `check`, `preauth`, `auth` (`factor=push`, async or not) and a
//! long-polling `auth_status`, with Duo's signature checking ([`auth`]) and the demo users
//! ([`users`]). The demo integration key and secret key are demo-only, like the demo caller.

pub mod auth;
pub mod users;

use crate::directory::Directory;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use users::{Fault, Preauth, Script};

/// A Duo user as a name reaches it.
struct DuoUser {
    /// The user's own name (lower case), whatever alias reached it.
    canonical: String,
    preauth: Preauth,
    /// The user's phone (its Duo device is made from it).
    phone: String,
}

/// The demo integration key. Demo only.
pub const DEMO_INTEGRATION_KEY: &str = "DIDEMOINTEGRATION001";
/// The demo secret key. Demo only: never use it for anything real.
pub const DEMO_SECRET_KEY: &str = "demo-duo-secret-key-for-mfa-sim-only-0000";
/// The longest one `auth_status` long poll holds before answering `waiting` again.
pub const LONG_POLL: Duration = Duration::from_secs(20);

struct Txn {
    started: Instant,
    script: Script,
    /// Index of the last step reported (None: none yet).
    reported: Option<usize>,
    /// `auth_status` answers given (a `{n}` in a status message becomes this number).
    answers: u64,
}

/// The Duo side of a running simulator.
pub struct DuoSim {
    ikey: String,
    skey: String,
    no_response_after: Duration,
    txns: Mutex<HashMap<String, Txn>>,
    faults: Mutex<HashMap<String, u32>>,
    next: AtomicU64,
    /// Signed calls accepted, by path (for tests).
    pub calls: Mutex<Vec<(String, HashMap<String, String>)>>,
}

/// An answer: HTTP status, JSON body, optional `Retry-After`.
pub struct DuoReply {
    /// HTTP status.
    pub status: u16,
    /// The JSON document.
    pub body: String,
    /// `Retry-After` seconds.
    pub retry_after: Option<u32>,
}

fn ok(response: Value) -> DuoReply {
    DuoReply {
        status: 200,
        body: json!({ "stat": "OK", "response": response }).to_string(),
        retry_after: None,
    }
}

fn fail(status: u16, code: u32, message: &str) -> DuoReply {
    DuoReply {
        status,
        body: json!({ "stat": "FAIL", "code": code, "message": message }).to_string(),
        retry_after: None,
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A request as received (the server module fills this in).
pub struct Incoming<'a> {
    /// Method, upper-case.
    pub method: &'a str,
    /// Path.
    pub path: &'a str,
    /// Host header without the port.
    pub host: &'a str,
    /// Raw query string.
    pub query: &'a str,
    /// Authorization header.
    pub authorization: Option<&'a str>,
    /// Date or X-Duo-Date.
    pub date: Option<&'a str>,
    /// Content-Type.
    pub content_type: &'a str,
    /// X-Duo-* headers.
    pub x_duo: Vec<(String, String)>,
    /// Body.
    pub body: &'a [u8],
    /// The simulator's users (aliases, phones, the users a directory file adds).
    pub directory: &'a crate::directory::Directory,
}

impl DuoSim {
    /// Duo with these keys; an unanswered push times out after `no_response_after`.
    pub fn new(ikey: &str, skey: &str, no_response_after: Duration) -> Self {
        Self {
            ikey: ikey.into(),
            skey: skey.into(),
            no_response_after,
            txns: Mutex::default(),
            faults: Mutex::default(),
            next: AtomicU64::new(1),
            calls: Mutex::default(),
        }
    }

    /// Answers one `/auth/v2/*` request.
    pub async fn handle(&self, req: Incoming<'_>) -> DuoReply {
        if req.path == "/auth/v2/ping" {
            return if req.method == "GET" {
                ok(json!({ "time": now_unix() }))
            } else {
                fail(405, 40501, "Method not allowed")
            };
        }
        let query = auth::parse_pairs(req.query);
        let body_params = if req.method == "POST" {
            if req.content_type.starts_with("application/json") {
                match auth::json_pairs(req.body) {
                    Some(p) => p,
                    None => return fail(400, 40002, "Invalid request parameters"),
                }
            } else {
                auth::parse_pairs(&String::from_utf8_lossy(req.body))
            }
        } else {
            Vec::new()
        };
        let signed = auth::Signed {
            authorization: req.authorization,
            date: req.date,
            method: req.method,
            host: req.host,
            path: req.path,
            query: &query,
            body: req.body,
            body_params: &body_params,
            x_duo: &req.x_duo,
        };
        if let Err(r) = auth::check(&signed, &self.ikey, &self.skey, now_unix()) {
            return fail(401, r.code, r.message);
        }
        let params: HashMap<String, String> = query.into_iter().chain(body_params).collect();
        {
            let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
            if calls.len() < 10_000 {
                calls.push((req.path.to_string(), params.clone()));
            }
        }
        match (req.method, req.path) {
            ("GET", "/auth/v2/check") => ok(json!({ "time": now_unix() })),
            ("POST", "/auth/v2/preauth") => self.preauth(&params, req.directory),
            ("POST", "/auth/v2/auth") => self.auth(&params, req.directory).await,
            ("GET", "/auth/v2/auth_status") => self.auth_status(&params).await,
            _ => fail(404, 40401, "Resource not found"),
        }
    }

    fn fault(&self, user: &str, fault: Option<Fault>) -> Option<DuoReply> {
        let f = fault?;
        let mut seen = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        let n = seen.entry(user.to_ascii_lowercase()).or_insert(0);
        if *n >= f.times {
            return None;
        }
        *n += 1;
        let mut r = if f.status == 429 {
            fail(429, 42901, "Too Many Requests")
        } else {
            fail(f.status, 50301, "Service Unavailable")
        };
        r.retry_after = f.retry_after;
        Some(r)
    }

    /// The user a name (a username or an alias) reaches, and what that user does: a user
    /// scripted in the directory (a file, or `Start-MfaSimulator -User`) as scripted, then
    /// Duo's own demo users, then the directory's other users (its approve, deny, fraud and
    /// noResponse users), else not enrolled.
    fn user(&self, name: &str, directory: &Directory) -> (DuoUser, Option<Fault>) {
        let found = directory.get(name);
        let canonical = found.as_ref().map_or_else(
            || name.to_ascii_lowercase(),
            |u| u.user_name.to_ascii_lowercase(),
        );
        let scripted = directory
            .scripted(name)
            .and_then(|u| users::from_directory(&u, self.no_response_after));
        let (mut preauth, fault) = match scripted {
            Some(p) => (p, None),
            None => users::behaviour(&canonical, self.no_response_after),
        };
        if let (Preauth::Enroll, Some(u)) = (&preauth, &found) {
            if let Some(p) = users::from_directory(u, self.no_response_after) {
                preauth = p;
            }
        }
        let phone = found.map_or_else(|| crate::directory::phone_of(&canonical), |u| u.phone());
        (
            DuoUser {
                canonical,
                preauth,
                phone,
            },
            fault,
        )
    }

    fn preauth(&self, params: &HashMap<String, String>, directory: &Directory) -> DuoReply {
        let Some(user) = params.get("username") else {
            return fail(400, 40001, "Missing required request parameters: username");
        };
        let (who, fault) = self.user(user, directory);
        if let Some(r) = self.fault(&who.canonical, fault) {
            return r;
        }
        match who.preauth {
            Preauth::Auth(_) => {
                let last4 = &who.phone[who.phone.len().saturating_sub(4)..];
                ok(json!({
                    "result": "auth",
                    "status_msg": "Account is active",
                    "devices": [{
                        "device": users::device_id(&who.phone),
                        "type": "phone",
                        "name": "Demo phone",
                        "number": format!("XXX-XXX-{last4}"),
                        "display_name": format!("Demo phone (XXX-XXX-{last4})"),
                        "capabilities": ["auto", "push", "sms", "phone", "mobile_otp"],
                    }],
                }))
            }
            Preauth::Allow => {
                ok(json!({ "result": "allow", "status_msg": "Allowing unknown user" }))
            }
            Preauth::Deny(msg) => ok(json!({ "result": "deny", "status_msg": msg })),
            Preauth::Enroll => ok(json!({
                "result": "enroll",
                "status_msg": "Enroll an authentication device to proceed",
                "enroll_portal_url": "https://api-demo.duosecurity.com/portal?code=demo",
            })),
        }
    }

    async fn auth(&self, params: &HashMap<String, String>, directory: &Directory) -> DuoReply {
        let (Some(user), Some(factor)) = (params.get("username"), params.get("factor")) else {
            return fail(400, 40001, "Missing required request parameters");
        };
        if factor != "push" && factor != "auto" {
            return fail(400, 40002, "Invalid request parameters: factor");
        }
        if params.get("pushinfo").is_some_and(|p| p.len() >= 20_000) {
            return fail(400, 40002, "Invalid request parameters: pushinfo");
        }
        let (who, _) = self.user(user, directory);
        // A device must be one of the user's (or `auto`), as Duo checks.
        if let Some(d) = params.get("device").filter(|d| *d != "auto") {
            if !matches!(who.preauth, Preauth::Auth(_)) || *d != users::device_id(&who.phone) {
                return fail(400, 40002, "Invalid request parameters: device");
            }
        }
        let script = match who.preauth {
            Preauth::Auth(s) => s,
            Preauth::Allow => Script {
                eager: false,
                raw: None,
                steps: vec![(
                    Duration::ZERO,
                    "allow",
                    "bypass",
                    "Allowing unknown user".into(),
                )],
            },
            Preauth::Deny(m) => Script {
                eager: false,
                raw: None,
                steps: vec![(Duration::ZERO, "deny", "locked_out", m.into())],
            },
            Preauth::Enroll => Script {
                eager: false,
                raw: None,
                steps: vec![(
                    Duration::ZERO,
                    "deny",
                    "deny",
                    "Enroll an authentication device to proceed".into(),
                )],
            },
        };
        let txid = format!(
            "{:08x}-sim-{:04x}-duo",
            self.next.fetch_add(1, Ordering::Relaxed),
            now_unix() & 0xffff
        );
        let is_async = params.get("async").is_some_and(|v| v == "1" || v == "true");
        self.txns.lock().unwrap_or_else(|p| p.into_inner()).insert(
            txid.clone(),
            Txn {
                started: Instant::now(),
                script: script.clone(),
                reported: None,
                answers: 0,
            },
        );
        if is_async {
            return ok(json!({ "txid": txid }));
        }
        // Synchronous auth: wait for the final step.
        let last =
            script
                .steps
                .last()
                .cloned()
                .unwrap_or((Duration::ZERO, "deny", "deny", String::new()));
        tokio::time::sleep(last.0).await;
        ok(json!({ "result": last.1, "status": last.2, "status_msg": last.3 }))
    }

    /// Long poll: answers at once when the transaction has a step not yet reported, else
    /// when the next step is due (or after [`LONG_POLL`], with the current one).
    async fn auth_status(&self, params: &HashMap<String, String>) -> DuoReply {
        let Some(txid) = params.get("txid") else {
            return fail(400, 40001, "Missing required request parameters: txid");
        };
        let deadline = Instant::now() + LONG_POLL;
        loop {
            let (reply, wait) = {
                let mut txns = self.txns.lock().unwrap_or_else(|p| p.into_inner());
                let Some(t) = txns.get_mut(txid) else {
                    return fail(400, 40002, "Invalid request parameters: txid");
                };
                let elapsed = t.started.elapsed();
                let current = t
                    .script
                    .steps
                    .iter()
                    .rposition(|s| s.0 <= elapsed)
                    .unwrap_or(0);
                if let Some(raw) = t.script.raw {
                    return DuoReply {
                        status: 200,
                        body: raw.to_string(),
                        retry_after: None,
                    };
                }
                let step = &t.script.steps[current];
                let message = step.3.replace("{n}", &t.answers.to_string());
                let answer = json!({ "result": step.1, "status": step.2, "status_msg": message });
                if t.script.eager
                    || t.reported.is_none_or(|r| r < current)
                    || Instant::now() >= deadline
                {
                    t.reported = Some(current);
                    t.answers += 1;
                    (Some(ok(answer)), Duration::ZERO)
                } else {
                    let next = t
                        .script
                        .steps
                        .get(current + 1)
                        .map_or(LONG_POLL, |s| s.0.saturating_sub(elapsed));
                    (
                        None,
                        next.min(deadline.saturating_duration_since(Instant::now())),
                    )
                }
            };
            match reply {
                Some(r) => return r,
                None => tokio::time::sleep(wait.max(Duration::from_millis(5))).await,
            }
        }
    }
}
