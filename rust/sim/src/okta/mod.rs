//! Okta's management API for Okta Verify push on the simulator's listener (paths
//! `/api/v1/*`, beside the SOAP service and Duo): find a user by login or id, list its
//! factors, verify the push factor (with or without a number challenge), poll and cancel
//! the transaction, Okta's rate-limit headers on every answer and 429 for a busy user. The
//! demo API token ([`DEMO_API_TOKEN`]) is demo-only, like the demo caller. Users: [`users`].

pub mod oauth;
pub mod users;

use crate::directory::Directory;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use users::Behaviour;

/// The demo API token (`Authorization: SSWS <token>`). Demo only: never use it for anything real.
pub const DEMO_API_TOKEN: &str = "00demo-okta-api-token-for-mfa-sim-only-0000000";
/// Calls allowed per minute (all users), as `X-Rate-Limit-Limit` says.
pub const RATE_LIMIT: u32 = 600;
/// How long a push stays answerable (`expiresAt`).
pub const PUSH_LIFETIME: Duration = Duration::from_secs(300);

struct Txn {
    user: Behaviour,
    started: Instant,
    expires_unix_ms: u64,
    number: Option<u16>,
    cancelled: bool,
}

/// One call as the simulator read it (for tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Method.
    pub method: String,
    /// Path as sent (percent-encoded).
    pub path: String,
    /// The body.
    pub body: String,
    /// The `User-Agent` header.
    pub user_agent: String,
}

/// The Okta side of a running simulator.
pub struct OktaSim {
    token: String,
    origin: String,
    no_response_after: Duration,
    txns: Mutex<HashMap<String, Txn>>,
    busy: Mutex<HashMap<String, u32>>,
    window: Mutex<(u64, u32)>,
    next: AtomicU64,
    /// Authenticated calls received (the first 10,000).
    pub calls: Mutex<Vec<Call>>,
    /// The number challenges given, in order.
    pub numbers: Mutex<Vec<u16>>,
    /// A service app (client credentials with `private_key_jwt`), when one is registered.
    pub service_app: Option<oauth::ServiceApp>,
}

/// An answer: status, JSON body (empty for 204) and headers.
pub struct OktaReply {
    /// HTTP status.
    pub status: u16,
    /// The JSON document.
    pub body: String,
    /// Extra headers (rate limits).
    pub headers: Vec<(&'static str, String)>,
}

/// A request as received.
pub struct Incoming<'a> {
    /// Method, upper-case.
    pub method: &'a str,
    /// Path as sent (percent-encoded).
    pub path: &'a str,
    /// Raw query string.
    pub query: &'a str,
    /// Authorization header.
    pub authorization: Option<&'a str>,
    /// User-Agent header.
    pub user_agent: Option<&'a str>,
    /// Body.
    pub body: &'a [u8],
    /// The simulator's users (aliases, Okta ids, the users a directory file adds).
    pub directory: &'a Directory,
}

fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn error(status: u16, code: &str, summary: &str) -> OktaReply {
    OktaReply {
        status,
        body: json!({
            "errorCode": code,
            "errorSummary": summary,
            "errorLink": code,
            "errorId": "oaeSimulatedError0000",
            "errorCauses": [],
        })
        .to_string(),
        headers: Vec::new(),
    }
}

fn answer(status: u16, body: Value) -> OktaReply {
    OktaReply {
        status,
        body: body.to_string(),
        headers: Vec::new(),
    }
}

fn not_found(what: &str) -> OktaReply {
    error(
        404,
        "E0000007",
        &format!("Not found: Resource not found: {what}"),
    )
}

/// Decodes `%XX` escapes; `None` for a broken escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn timestamp(unix_ms: u64) -> String {
    mfa_protocol::time::rfc3339_ms(unix_ms)
}

impl OktaSim {
    /// Okta with this API token; links name `origin` (`https://127.0.0.1:PORT`); an
    /// unanswered push times out after `no_response_after`.
    pub fn new(token: &str, origin: &str, no_response_after: Duration) -> Self {
        Self {
            token: token.into(),
            origin: origin.trim_end_matches('/').into(),
            no_response_after,
            txns: Mutex::default(),
            busy: Mutex::default(),
            window: Mutex::default(),
            next: AtomicU64::new(1),
            calls: Mutex::default(),
            numbers: Mutex::default(),
            service_app: None,
        }
    }

    /// Answers `POST /oauth2/v1/token` (a form body).
    pub fn token(&self, body: &[u8]) -> OktaReply {
        let params: HashMap<String, String> = String::from_utf8_lossy(body)
            .split('&')
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                let v = v.replace('+', " ");
                Some((percent_decode(k)?, percent_decode(&v)?))
            })
            .collect();
        let (status, body) = match &self.service_app {
            Some(app) => app.token(&params, &self.origin),
            None => (401, json!({ "error": "invalid_client", "error_description": "No service app is registered." }).to_string()),
        };
        OktaReply {
            status,
            body,
            headers: Vec::new(),
        }
    }

    /// The user with this login: a user scripted in the directory (a file, or
    /// `Start-MfaSimulator -User`) as scripted, then Okta's own demo users, then the
    /// directory's other users (by name or alias: an alias reaches its user, whose login is
    /// another name, as Okta's login short names do), with the directory's Okta id when it
    /// gives one.
    fn by_login(&self, login: &str, directory: &Directory) -> Option<Behaviour> {
        let found = directory.get(login);
        let canonical = found.as_ref().map_or_else(
            || login.to_ascii_lowercase(),
            |u| u.user_name.to_ascii_lowercase(),
        );
        let scripted = directory
            .scripted(login)
            .and_then(|u| users::from_directory(&u, self.no_response_after));
        let mut b = scripted
            .or_else(|| users::behaviour(&canonical, self.no_response_after))
            .or_else(|| users::from_directory(found.as_ref()?, self.no_response_after))?;
        if let Some(id) = found.and_then(|u| u.okta_id) {
            b.id = id;
        }
        Some(b)
    }

    /// Every user Okta knows: the demo logins and the directory's users that have an
    /// Okta behaviour.
    fn everyone(&self, directory: &Directory) -> Vec<Behaviour> {
        let mut all: Vec<Behaviour> = users::LOGINS
            .iter()
            .filter_map(|l| self.by_login(l, directory))
            .collect();
        for u in directory.users() {
            if let Some(b) = self.by_login(&u.user_name, directory) {
                if !all.iter().any(|a| a.login == b.login) {
                    all.push(b);
                }
            }
        }
        all
    }

    /// The user with this login, alias or id.
    fn user(&self, login_or_id: &str, directory: &Directory) -> Option<Behaviour> {
        self.by_login(login_or_id, directory).or_else(|| {
            self.everyone(directory)
                .into_iter()
                .find(|b| b.id == login_or_id)
        })
    }

    fn authorized(&self, authorization: Option<&str>) -> bool {
        use sha2::{Digest, Sha256};
        if let (Some(app), Some(bearer)) = (
            &self.service_app,
            authorization.and_then(|a| a.trim().strip_prefix("Bearer ")),
        ) {
            return app.accepts(bearer.trim());
        }
        // Okta documents `SSWS <token>`; Okta's Python SDK 3.x sends `SSWS<token>` (no space).
        let Some(token) = authorization.and_then(|a| a.trim().strip_prefix("SSWS")) else {
            return false;
        };
        // Compared as digests (no early exit on the first differing byte).
        Sha256::digest(token.trim().as_bytes()) == Sha256::digest(self.token.as_bytes())
    }

    /// Rate-limit headers for one more call in this minute; `None` when the minute is used up.
    fn count_call(&self) -> (bool, Vec<(&'static str, String)>) {
        let now = now_unix_ms() / 1000;
        let minute = now - now % 60;
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        if w.0 != minute {
            *w = (minute, 0);
        }
        let allowed = w.1 < RATE_LIMIT;
        if allowed {
            w.1 += 1;
        }
        (
            allowed,
            vec![
                ("X-Rate-Limit-Limit", RATE_LIMIT.to_string()),
                ("X-Rate-Limit-Remaining", (RATE_LIMIT - w.1).to_string()),
                ("X-Rate-Limit-Reset", (minute + 60).to_string()),
            ],
        )
    }

    /// Answers one `/api/v1/*` request.
    pub async fn handle(&self, req: Incoming<'_>) -> OktaReply {
        if !self.authorized(req.authorization) {
            return error(401, "E0000011", "Invalid token provided");
        }
        let (allowed, rate) = self.count_call();
        if !allowed {
            let mut r = error(
                429,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
            );
            r.headers = rate;
            return r;
        }
        {
            let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
            if calls.len() < 10_000 {
                calls.push(Call {
                    method: req.method.to_owned(),
                    path: req.path.to_owned(),
                    body: String::from_utf8_lossy(req.body).into_owned(),
                    user_agent: req.user_agent.unwrap_or_default().to_owned(),
                });
            }
        }
        let Some(segments) = req
            .path
            .strip_prefix("/api/v1/")
            .map(|p| p.split('/').map(percent_decode).collect::<Option<Vec<_>>>())
        else {
            return not_found("path");
        };
        let Some(segments) = segments else {
            return error(400, "E0000001", "Api validation failed: path");
        };
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let d = req.directory;
        let mut reply = match (req.method, s.as_slice()) {
            ("GET", ["users"]) => self.list(req.query, d),
            ("GET", ["users", who]) => self.get_user(who, d),
            ("GET", ["users", uid, "factors"]) => self.factors(uid, d),
            ("POST", ["users", uid, "factors", fid, "verify"]) => self.verify(uid, fid, &req),
            ("GET", ["users", uid, "factors", fid, "transactions", tid]) => {
                self.poll(uid, fid, tid)
            }
            ("DELETE", ["users", uid, "factors", fid, "transactions", tid]) => {
                self.cancel(uid, fid, tid)
            }
            _ => not_found("path"),
        };
        if reply.headers.is_empty() {
            reply.headers = rate;
        }
        reply
    }

    fn user_json(&self, b: &Behaviour) -> Value {
        json!({
            "id": b.id,
            "status": "ACTIVE",
            "created": "2024-01-02T03:04:05.000Z",
            "lastUpdated": "2024-01-02T03:04:05.000Z",
            "type": { "id": "otySimulatedType0000" },
            "profile": {
                "login": b.login,
                "email": b.login,
                "firstName": b.login.split('@').next().unwrap_or_default(),
                "lastName": "Demo",
            },
            "_links": { "self": { "href": format!("{}/api/v1/users/{}", self.origin, b.id) } },
        })
    }

    fn list(&self, query: &str, directory: &Directory) -> OktaReply {
        let limit = query
            .split('&')
            .find_map(|p| p.strip_prefix("limit="))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(200);
        let all: Vec<Value> = self
            .everyone(directory)
            .iter()
            .take(limit)
            .map(|b| self.user_json(b))
            .collect();
        answer(200, Value::Array(all))
    }

    fn busy(&self, b: &Behaviour) -> Option<OktaReply> {
        let mut seen = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        let n = seen.entry(b.id.clone()).or_insert(0);
        if *n >= b.busy {
            return None;
        }
        *n += 1;
        let mut r = error(
            429,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        );
        let reset = now_unix_ms() / 1000 + 1;
        r.headers = vec![
            ("X-Rate-Limit-Limit", RATE_LIMIT.to_string()),
            ("X-Rate-Limit-Remaining", "0".into()),
            ("X-Rate-Limit-Reset", reset.to_string()),
        ];
        Some(r)
    }

    fn get_user(&self, who: &str, directory: &Directory) -> OktaReply {
        let Some(b) = self.user(who, directory) else {
            return not_found(&format!("{who} (User)"));
        };
        if let Some(r) = self.busy(&b) {
            return r;
        }
        answer(200, self.user_json(&b))
    }

    fn push_factor_id(b: &Behaviour) -> String {
        format!("opf{}", &b.id[3..])
    }

    fn factors(&self, uid: &str, directory: &Directory) -> OktaReply {
        let Some(b) = self.user(uid, directory).filter(|b| b.id == uid) else {
            return not_found(&format!("{uid} (User)"));
        };
        let mut list = vec![json!({
            "id": format!("sms{}", &b.id[3..]),
            "factorType": "sms",
            "provider": "OKTA",
            "vendorName": "OKTA",
            "status": "ACTIVE",
            "created": "2024-01-02T03:04:05.000Z",
            "lastUpdated": "2024-01-02T03:04:05.000Z",
            "profile": { "phoneNumber": "+15555550100" },
        })];
        if b.push {
            list.push(json!({
                "id": Self::push_factor_id(&b),
                "factorType": "push",
                "provider": "OKTA",
                "vendorName": "OKTA",
                "status": "ACTIVE",
                "created": "2024-01-02T03:04:05.000Z",
                "lastUpdated": "2024-01-02T03:04:05.000Z",
                "profile": {
                    "credentialId": b.login,
                    "deviceType": "SmartPhone_IPhone",
                    "name": "Demo phone",
                    "platform": "IOS",
                    "version": "17.0",
                },
            }));
        }
        answer(200, Value::Array(list))
    }

    fn links(&self, uid: &str, fid: &str, tid: &str) -> Value {
        let href = format!(
            "{}/api/v1/users/{uid}/factors/{fid}/transactions/{tid}",
            self.origin
        );
        json!({
            "poll": { "href": href, "hints": { "allow": ["GET"] } },
            "cancel": { "href": href, "hints": { "allow": ["DELETE"] } },
        })
    }

    fn throttle(reply: &mut OktaReply, b: &Behaviour) {
        if b.throttled {
            reply.headers = vec![
                ("X-Rate-Limit-Limit", RATE_LIMIT.to_string()),
                ("X-Rate-Limit-Remaining", "0".into()),
                ("X-Rate-Limit-Reset", (now_unix_ms() / 1000 + 2).to_string()),
            ];
        }
    }

    fn verify(&self, uid: &str, fid: &str, req: &Incoming<'_>) -> OktaReply {
        let Some(b) = self.user(uid, req.directory).filter(|b| b.id == uid) else {
            return not_found(&format!("{uid} (User)"));
        };
        if !b.push || fid != Self::push_factor_id(&b) {
            return not_found(&format!("{fid} (UserFactor)"));
        }
        if req.user_agent.is_none_or(|ua| ua.trim().is_empty()) {
            return error(
                400,
                "E0000001",
                "Api validation failed: User-Agent is required for Okta Verify push",
            );
        }
        let body: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            match serde_json::from_slice(req.body) {
                Ok(v @ Value::Object(_)) => v,
                _ => return error(400, "E0000003", "The request body was not well-formed."),
            }
        };
        let asked = match body.get("useNumberMatchingChallenge") {
            None => false,
            Some(Value::Bool(v)) => *v,
            Some(_) => {
                return error(
                    400,
                    "E0000001",
                    "Api validation failed: useNumberMatchingChallenge",
                )
            }
        };
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let tid = format!("v2mst.sim{n:08}Tx{:04x}", now_unix_ms() & 0xffff);
        let expires = now_unix_ms() + PUSH_LIFETIME.as_millis() as u64;
        let number = (asked || b.always_number).then(|| (n * 37 % 90 + 10) as u16);
        let mut reply = json!({
            "factorResult": "WAITING",
            "expiresAt": timestamp(expires),
            "_links": self.links(uid, fid, &tid),
        });
        if let Some(number) = number {
            self.numbers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(number);
            reply["_embedded"] = json!({ "challenge": { "correctAnswer": number } });
        }
        self.txns.lock().unwrap_or_else(|p| p.into_inner()).insert(
            tid,
            Txn {
                user: b.clone(),
                started: Instant::now(),
                expires_unix_ms: expires,
                number,
                cancelled: false,
            },
        );
        let mut r = answer(201, reply);
        Self::throttle(&mut r, &b);
        r
    }

    fn poll(&self, uid: &str, fid: &str, tid: &str) -> OktaReply {
        let txns = self.txns.lock().unwrap_or_else(|p| p.into_inner());
        let Some(t) = txns
            .get(tid)
            .filter(|t| t.user.id == uid && Self::push_factor_id(&t.user) == fid)
        else {
            return not_found(&format!("{tid} (Transaction)"));
        };
        let elapsed = t.started.elapsed();
        let result = if t.cancelled {
            "CANCELLED"
        } else if elapsed >= PUSH_LIFETIME {
            "TIMEOUT"
        } else {
            t.user
                .steps
                .iter()
                .rev()
                .find(|s| s.0 <= elapsed)
                .map_or("WAITING", |s| s.1)
        };
        let mut body =
            json!({ "factorResult": result, "profile": { "credentialId": t.user.login } });
        if result == "WAITING" {
            body["expiresAt"] = json!(timestamp(t.expires_unix_ms));
            body["_links"] = self.links(uid, fid, tid);
            if let Some(n) = t.number {
                body["_embedded"] = json!({ "challenge": { "correctAnswer": n } });
            }
        }
        let mut r = answer(200, body);
        Self::throttle(&mut r, &t.user);
        r
    }

    fn cancel(&self, uid: &str, fid: &str, tid: &str) -> OktaReply {
        let mut txns = self.txns.lock().unwrap_or_else(|p| p.into_inner());
        match txns
            .get_mut(tid)
            .filter(|t| t.user.id == uid && Self::push_factor_id(&t.user) == fid)
        {
            Some(t) => {
                t.cancelled = true;
                OktaReply {
                    status: 204,
                    body: String::new(),
                    headers: Vec::new(),
                }
            }
            None => not_found(&format!("{tid} (Transaction)")),
        }
    }
}
