//! privacyIDEA 3.14's REST API, the part a push approval uses, on the simulator's listener:
//! `POST /auth` (the service account's token), `POST /validate/triggerchallenge`,
//! `GET /validate/polltransaction`, `POST /validate/check`,
//! `DELETE /token/challenges/transaction/<id>`, and the listings `GET /user/` and `GET /token/`.
//! Every answer has the real server's shape (recorded from privacyIDEA 3.14 with
//! `tests/python/privacyidea_server.py`; `tests/python/test_privacyidea_shapes.py` compares the
//! two on every run) and is signed as privacyIDEA signs it, with a demo key
//! ([`wire::DEMO_SIGNING_PUBLIC_KEY`]). The service account is the simulator's demo caller
//! (`demo-admin` / `demo-password`, or `--credential`). Users: [`users`].

pub mod users;
pub mod wire;

use crate::directory::Directory;
use ring::hmac;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use users::{Fault, Phone, User, REALM, RESOLVER};
use wire::{py_json, Signer};

/// The version the answers name.
pub const VERSION: &str = "3.14";
/// How long a token lasts (privacyIDEA's default: an hour).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// The admin rights the service account's token lists (what a policy would grant it).
const RIGHTS: &[&str] = &[
    "userlist",
    "triggerchallenge",
    "cancelchallenge",
    "tokenlist",
];
const CHALLENGE_TEXT: &str = "Please confirm the authentication on your mobile device!";

struct Txn {
    user: User,
    started: Instant,
    cancelled: bool,
    consumed: bool,
}

/// A call as the simulator read it (for tests): the password is never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// The parameters (query and form), `password` replaced by `***`.
    pub params: Vec<(String, String)>,
}

/// A request as received.
pub struct Incoming<'a> {
    /// Method, upper-case.
    pub method: &'a str,
    /// Path.
    pub path: &'a str,
    /// Raw query string.
    pub query: &'a str,
    /// `PI-Authorization` (or `Authorization`).
    pub token: Option<&'a str>,
    /// The body (a form).
    pub body: &'a [u8],
    /// The simulator's users: the ones scripted there (a file, or `Start-MfaSimulator
    /// -User`) are privacyIDEA users too ([`users::scripted`]).
    pub directory: &'a crate::directory::Directory,
}

/// An answer: status and body.
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

/// The privacyIDEA side of a running simulator.
pub struct PrivacyIdeaSim {
    credentials: Vec<(String, String)>,
    signer: Signer,
    jwt: hmac::Key,
    txns: Mutex<HashMap<String, Txn>>,
    next: AtomicU64,
    /// The calls received (the first 10,000).
    pub calls: Mutex<Vec<Call>>,
    /// The transactions withdrawn with `DELETE /token/challenges/transaction/<id>`.
    pub cancels: Mutex<Vec<String>>,
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl PrivacyIdeaSim {
    /// A privacyIDEA accepting `credentials` (user, password) as its service accounts.
    pub fn new(credentials: &[(String, String)]) -> Self {
        let rng = ring::rand::SystemRandom::new();
        Self {
            credentials: credentials.to_vec(),
            signer: Signer::demo(),
            jwt: hmac::Key::generate(hmac::HMAC_SHA256, &rng).expect("random key"),
            txns: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            calls: Mutex::new(Vec::new()),
            cancels: Mutex::new(Vec::new()),
        }
    }

    /// Whether `path` is privacyIDEA's (the listener's other services keep theirs).
    pub fn serves(path: &str) -> bool {
        path == "/auth"
            || path.starts_with("/validate/")
            || path.starts_with("/token/")
            || path == "/user/"
    }

    fn thread_id(&self) -> u64 {
        140_000_000_000_000 + self.next.load(Ordering::Relaxed) % 1000
    }

    /// Answers one request.
    pub fn handle(&self, req: Incoming<'_>) -> Reply {
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).ok();
        let params = match (
            wire::form(req.query),
            text(req.body).and_then(|b| wire::form(&b)),
        ) {
            (Some(mut q), Some(b)) if b.iter().all(|(k, _)| q.iter().all(|(q, _)| q != k)) => {
                q.extend(b);
                q
            }
            _ => return self.error(400, 905, "ERR905: Invalid parameters.", None, Value::Null),
        };
        {
            let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
            if calls.len() < 10_000 {
                calls.push(Call {
                    method: req.method.to_owned(),
                    path: req.path.to_owned(),
                    params: params
                        .iter()
                        .map(|(k, v)| {
                            let v = if k == "password" {
                                "***".into()
                            } else {
                                v.clone()
                            };
                            (k.clone(), v)
                        })
                        .collect(),
                });
            }
        }
        let get = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let nonce = get("nonce");
        let path = req.path;
        match (req.method, path) {
            ("POST", "/auth") => self.auth(get("username"), get("password"), nonce),
            ("POST" | "GET", "/validate/triggerchallenge") => match self.admin(req.token, nonce) {
                Err(r) => r,
                Ok(()) => self.trigger(get("user"), get("realm"), nonce, req.directory),
            },
            ("GET", p) if p.starts_with("/validate/polltransaction") => {
                let tx = p
                    .strip_prefix("/validate/polltransaction/")
                    .or(get("transaction_id"));
                match tx {
                    Some(tx) => self.poll(tx, nonce),
                    None => self.error(
                        400,
                        905,
                        "ERR905: Missing parameter: transaction_id",
                        nonce,
                        Value::Null,
                    ),
                }
            }
            ("POST" | "GET", "/validate/check") => self.check(
                get("user"),
                get("realm"),
                get("transaction_id"),
                nonce,
                req.directory,
            ),
            ("DELETE", p) if p.starts_with("/token/challenges/transaction/") => {
                match self.admin(req.token, nonce) {
                    Err(r) => r,
                    Ok(()) => self.cancel(&p["/token/challenges/transaction/".len()..], nonce),
                }
            }
            ("GET", "/user/") => match self.admin(req.token, nonce) {
                Err(r) => r,
                Ok(()) => self.users(get("username"), get("realm"), nonce, req.directory),
            },
            ("GET", "/token/") => match self.admin(req.token, nonce) {
                Err(r) => r,
                Ok(()) => self.tokens(get("user"), get("realm"), nonce, req.directory),
            },
            _ => self.error(
                404,
                601,
                "The requested URL was not found on the server.",
                nonce,
                Value::Null,
            ),
        }
    }

    /// A signed answer: `content` with the envelope privacyIDEA adds, `edit` applied to the
    /// text before it is signed (the forging faults), `fault` deciding what happens after.
    fn answer(
        &self,
        status: u16,
        rid: u8,
        mut content: Map<String, Value>,
        nonce: Option<&str>,
        fault: Fault,
    ) -> Reply {
        content.insert("id".into(), json!(rid));
        content.insert("jsonrpc".into(), json!("2.0"));
        content.insert("time".into(), json!(now()));
        content.insert("version".into(), json!(format!("privacyIDEA {VERSION}")));
        if status == 200 {
            content.insert("versionnumber".into(), json!(VERSION));
        }
        if let Some(n) = nonce {
            content.insert("nonce".into(), json!(n));
        }
        let mut unsigned = py_json(&Value::Object(content));
        match fault {
            Fault::DuplicateValue => {
                unsigned =
                    unsigned.replacen(r#""value": true"#, r#""value": false, "value": true"#, 1)
            }
            Fault::StringValue => {
                unsigned = unsigned.replacen(r#""value": true"#, r#""value": "true""#, 1)
            }
            _ => {}
        }
        if fault == Fault::Unsigned {
            return Reply {
                status,
                body: unsigned,
            };
        }
        let signature = self.signer.sign(unsigned.as_bytes());
        // The signature member sits where json.dumps(sort_keys=True) puts it: before "time".
        let at = unsigned
            .rfind(r#", "time": "#)
            .unwrap_or(unsigned.len() - 1);
        let mut body = format!(
            r#"{}, "signature": "{signature}"{}"#,
            &unsigned[..at],
            &unsigned[at..]
        );
        match fault {
            Fault::Tampered => {
                body = body
                    .replacen(
                        r#""authentication": "REJECT""#,
                        r#""authentication": "ACCEPT""#,
                        1,
                    )
                    .replacen(r#""value": false"#, r#""value": true"#, 1)
            }
            Fault::SecondDocument => {
                body.push_str("\n{\"result\": {\"status\": true, \"value\": true}}")
            }
            _ => {}
        }
        Reply { status, body }
    }

    fn error(
        &self,
        status: u16,
        code: i64,
        message: &str,
        nonce: Option<&str>,
        detail: Value,
    ) -> Reply {
        let mut c = Map::new();
        c.insert("detail".into(), detail);
        c.insert(
            "result".into(),
            json!({"error": {"code": code, "message": message}, "status": false}),
        );
        self.answer(status, 1, c, nonce, Fault::None)
    }

    fn issue_token(&self, user: &str) -> String {
        let mut random = [0u8; 20];
        let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random);
        let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = json!({
            "username": user, "realm": "",
            "nonce": random.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "role": "admin", "authtype": "password",
            "exp": (now() + TOKEN_LIFETIME.as_secs_f64()) as u64, "rights": RIGHTS,
        });
        let input = format!("{header}.{}", b64url(payload.to_string().as_bytes()));
        let tag = hmac::sign(&self.jwt, input.as_bytes());
        format!("{input}.{}", b64url(tag.as_ref()))
    }

    /// Checks a token: signed here and not expired.
    fn token_ok(&self, token: &str) -> bool {
        let Some((input, tag)) = token.rsplit_once('.') else {
            return false;
        };
        use base64::Engine as _;
        let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(tag) else {
            return false;
        };
        if hmac::verify(&self.jwt, input.as_bytes(), &tag).is_err() {
            return false;
        }
        let payload = input
            .split('.')
            .nth(1)
            .and_then(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .and_then(|p| serde_json::from_slice::<Value>(&p).ok());
        payload
            .and_then(|p| p["exp"].as_f64())
            .is_some_and(|exp| exp > now())
    }

    fn admin(&self, token: Option<&str>, nonce: Option<&str>) -> Result<(), Reply> {
        match token {
            None => Err(self.error(401, 4033, "Authentication failure. Missing Authorization header.", nonce, json!({}))),
            Some(t) if !self.token_ok(t) => Err(self.error(
                401,
                4304,
                "Authentication failure. Error decoding the Authorization token: Signature verification failed",
                nonce,
                json!({}),
            )),
            Some(_) => Ok(()),
        }
    }

    fn auth(&self, user: Option<&str>, password: Option<&str>, nonce: Option<&str>) -> Reply {
        let ok = match (user, password) {
            (Some(u), Some(p)) => {
                // Digests compared whole, so the time taken says nothing about the password.
                let given = ring::digest::digest(&ring::digest::SHA256, p.as_bytes());
                self.credentials.iter().any(|(cu, cp)| {
                    let want = ring::digest::digest(&ring::digest::SHA256, cp.as_bytes());
                    let same = want
                        .as_ref()
                        .iter()
                        .zip(given.as_ref())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0;
                    cu == u && same
                })
            }
            _ => false,
        };
        let Some(user) = user.filter(|_| ok) else {
            return self.error(401, 4031, "Authentication failed.", nonce, json!({}));
        };
        let value = json!({
            "admin_dashboard": false, "audit_page_size": 10, "auth": true,
            "container_wizard": {"enabled": false}, "default_container_type": "generic",
            "default_tokentype": "hotp", "deletion_confirmation": false, "dialog_no_token": false,
            "hide_buttons": false, "hide_welcome": false, "log_level": 30, "logout_redirect_url": "",
            "logout_time": 120, "menus": ["users", "tokens"],
            "policy_template_url": "/static/policy-templates/", "qr_image_android": null,
            "qr_image_custom": null, "qr_image_ios": null, "realm": "", "require_description": [],
            "rights": RIGHTS, "role": "admin", "rss_age": 180, "search_on_enter": false,
            "session_persistence": "tab", "show_node": "", "show_seed": false,
            "subscription_status": 0, "timeout_action": "lockscreen", "token": self.issue_token(user),
            "token_page_size": 15, "token_rollover": {}, "token_wizard": false,
            "token_wizard_2nd": false, "user_details": false, "user_page_size": 15, "username": user,
        });
        let mut c = Map::new();
        c.insert(
            "result".into(),
            json!({"authentication": "ACCEPT", "status": true, "value": value}),
        );
        self.answer(200, 2, c, nonce, Fault::None)
    }

    /// The user `name` in `realm` (privacyIDEA's realm names are lower case): a user
    /// scripted in the directory first, then a demo user.
    fn user(name: Option<&str>, realm: Option<&str>, directory: &Directory) -> Option<User> {
        if !realm.unwrap_or(REALM).eq_ignore_ascii_case(REALM) {
            return None;
        }
        let name = name?;
        users::scripted_named(name, directory).or_else(|| users::find(name))
    }

    fn trigger(
        &self,
        name: Option<&str>,
        realm: Option<&str>,
        nonce: Option<&str>,
        directory: &Directory,
    ) -> Reply {
        if name.is_none() {
            return self.error(
                400,
                905,
                "ERR905: You need to specify a serial, user or credential_id.",
                nonce,
                Value::Null,
            );
        }
        let Some(user) = Self::user(name, realm, directory) else {
            return self.error(
                400,
                904,
                "ERR904: The user can not be found in any resolver in this realm!",
                nonce,
                Value::Null,
            );
        };
        let thread = self.thread_id();
        let Some(serial) = user.serial.clone() else {
            let mut c = Map::new();
            c.insert("detail".into(), json!({"messages": [], "multi_challenge": [], "threadid": thread, "transaction_ids": []}));
            c.insert(
                "result".into(),
                json!({"authentication": "REJECT", "status": true, "value": 0}),
            );
            return self.answer(200, 2, c, nonce, Fault::None);
        };
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let tx = format!("{:020}", 6_500_000_000_000_000_000u64 + n * 7919);
        let presence = matches!(user.phone, Phone::Presence(_))
            .then(|| ["A", "B", "C"][(n % 3) as usize].to_owned());
        let interactive = user.phone == Phone::CodeToPhone;
        let message = match (&presence, interactive) {
            (Some(p), _) => format!("{CHALLENGE_TEXT} Please press: {p}"),
            (None, true) => "Please enter the code displayed on your smartphone.".to_owned(),
            (None, false) => CHALLENGE_TEXT.to_owned(),
        };
        let mode = if interactive { "interactive" } else { "poll" };
        let attributes = json!({"hideResponseInput": !interactive});
        let mut challenge = json!({
            "attributes": attributes, "client_mode": mode, "message": message,
            "serial": serial, "transaction_id": tx, "type": "push",
        });
        let mut detail = json!({
            "attributes": attributes, "client_mode": mode, "message": message, "messages": [message],
            "multi_challenge": [], "preferred_client_mode": mode, "serial": serial, "threadid": thread,
            "transaction_id": tx, "transaction_ids": [tx], "type": "push",
        });
        if let Some(p) = &presence {
            challenge["presence_answer"] = json!(p);
            detail["presence_answer"] = json!(p);
        }
        detail["multi_challenge"] = json!([challenge]);
        self.txns.lock().unwrap_or_else(|p| p.into_inner()).insert(
            tx,
            Txn {
                user,
                started: Instant::now(),
                cancelled: false,
                consumed: false,
            },
        );
        let mut c = Map::new();
        c.insert("detail".into(), detail);
        c.insert(
            "result".into(),
            json!({"authentication": "CHALLENGE", "status": true, "value": 1}),
        );
        self.answer(200, 2, c, nonce, Fault::None)
    }

    /// What the phone has done with `t` by now: `accept`, `declined` or `pending`.
    fn status_of(t: &Txn) -> &'static str {
        if t.cancelled || t.consumed {
            return "pending";
        }
        let elapsed = t.started.elapsed();
        match t.user.phone {
            Phone::Approve(d) | Phone::Presence(d) if elapsed >= d => "accept",
            Phone::Decline(d) if elapsed >= d => "declined",
            _ => "pending",
        }
    }

    fn poll(&self, tx: &str, nonce: Option<&str>) -> Reply {
        let txns = self.txns.lock().unwrap_or_else(|p| p.into_inner());
        let status = txns.get(tx).map_or("pending", Self::status_of);
        drop(txns);
        let authentication = match status {
            "accept" => "ACCEPT",
            "declined" => "DECLINED",
            _ => "REJECT",
        };
        let mut c = Map::new();
        c.insert(
            "detail".into(),
            json!({"challenge_status": status, "threadid": self.thread_id()}),
        );
        c.insert(
            "result".into(),
            json!({"authentication": authentication, "status": true, "value": status == "accept"}),
        );
        self.answer(200, 2, c, nonce, Fault::None)
    }

    fn check(
        &self,
        name: Option<&str>,
        realm: Option<&str>,
        tx: Option<&str>,
        nonce: Option<&str>,
        directory: &Directory,
    ) -> Reply {
        let Some(user) = Self::user(name, realm, directory) else {
            return self.error(
                400,
                904,
                "ERR904: The user can not be found in any resolver in this realm!",
                nonce,
                Value::Null,
            );
        };
        let thread = self.thread_id();
        let mut txns = self.txns.lock().unwrap_or_else(|p| p.into_inner());
        let found = tx
            .and_then(|tx| txns.get_mut(tx))
            .filter(|t| t.user.login == user.login && !t.cancelled && !t.consumed);
        let reject = |detail: Value| {
            let mut c = Map::new();
            c.insert("detail".into(), detail);
            c.insert(
                "result".into(),
                json!({"authentication": "REJECT", "status": true, "value": false}),
            );
            c
        };
        let Some(t) = found else {
            drop(txns);
            return self.answer(
                200,
                2,
                reject(json!({"message": "wrong otp pin", "threadid": thread})),
                nonce,
                Fault::None,
            );
        };
        let serial = t.user.serial.clone().unwrap_or_default();
        let fault = t.user.fault;
        let accepted = Self::status_of(t) == "accept" && fault != Fault::PollOnlyAccept;
        if !accepted || fault == Fault::Tampered {
            drop(txns);
            let detail = json!({"message": "Response did not match the challenge.", "serial": serial, "threadid": thread, "type": "push"});
            return self.answer(200, 2, reject(detail), nonce, fault);
        }
        t.consumed = true;
        drop(txns);
        let named = if fault == Fault::OtherSerial {
            "PIPU00009999".to_owned()
        } else {
            serial
        };
        let mut c = Map::new();
        c.insert(
            "detail".into(),
            json!({"message": "Found matching challenge", "serial": named, "threadid": thread}),
        );
        c.insert(
            "result".into(),
            json!({"authentication": "ACCEPT", "status": true, "value": true}),
        );
        self.answer(200, 2, c, nonce, fault)
    }

    fn cancel(&self, tx: &str, nonce: Option<&str>) -> Reply {
        let mut deleted = 0;
        if let Some(t) = self
            .txns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(tx)
        {
            if !t.cancelled && !t.consumed {
                t.cancelled = true;
                deleted = 1;
            }
        }
        self.cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(tx.to_owned());
        let mut c = Map::new();
        c.insert(
            "result".into(),
            json!({"status": true, "value": {"deleted": deleted, "status": true}}),
        );
        self.answer(200, 1, c, nonce, Fault::None)
    }

    fn user_json(u: &User) -> Value {
        let mut name = u.login.clone();
        name[..1].make_ascii_uppercase();
        json!({
            "description": format!("{name},,,"), "editable": false, "email": "", "givenname": name,
            "mobile": "", "phone": "", "realm": REALM, "resolver": RESOLVER, "surname": "",
            "userid": u.user_id, "username": u.login,
        })
    }

    fn users(
        &self,
        pattern: Option<&str>,
        realm: Option<&str>,
        nonce: Option<&str>,
        directory: &Directory,
    ) -> Reply {
        let list: Vec<Value> = if realm.unwrap_or(REALM).eq_ignore_ascii_case(REALM) {
            users::everyone(directory)
                .into_iter()
                .filter(|u| {
                    // An AD resolver with the login attributes sAMAccountName and
                    // userPrincipalName: either finds the user.
                    pattern.is_none_or(|p| {
                        let p = p.to_ascii_lowercase();
                        glob(&p, &u.login) || glob(&p, &format!("{}@contoso.com", u.login))
                    })
                })
                .map(|u| Self::user_json(&u))
                .collect()
        } else {
            Vec::new()
        };
        let mut c = Map::new();
        c.insert("result".into(), json!({"status": true, "value": list}));
        self.answer(200, 1, c, nonce, Fault::None)
    }

    fn tokens(
        &self,
        name: Option<&str>,
        realm: Option<&str>,
        nonce: Option<&str>,
        directory: &Directory,
    ) -> Reply {
        let user = Self::user(name, realm, directory);
        let tokens: Vec<Value> = user
            .iter()
            .filter_map(|u| Some((u, u.serial.clone()?)))
            .map(|(u, serial)| {
                let info_keys = [
                    "assignment_date", "push_firebase_configuration", "tokenkind", "creation_date",
                    "public_key_smartphone", "firebase_token", "public_key_server",
                    "private_key_server.type", "private_key_server",
                ];
                json!({
                    "active": true, "container_serial": "", "count": 0, "count_window": 10,
                    "description": "", "failcount": 0, "id": u.user_id.parse::<u64>().unwrap_or(0) - 1000,
                    "info": {
                        "assignment_date": "2026-01-01T00:00:00+00:00", "creation_date": "2026-01-01T00:00:00+00:00",
                        "firebase_token": "poll-only", "private_key_server": "demo:encrypted",
                        "private_key_server.type": "password", "public_key_server": "demo-public-key",
                        "public_key_smartphone": "demo-public-key", "push_firebase_configuration": "poll only",
                        "tokenkind": "software",
                    },
                    "locked": false, "maxfail": 10, "otplen": 6, "readonly_info_keys": info_keys,
                    "realms": [REALM], "resolver": RESOLVER, "revoked": false, "rollout_state": "enrolled",
                    "serial": serial, "settable_info_keys": [], "sync_window": 1000, "tokengroup": [],
                    "tokentype": "push", "undeletable_info_keys": info_keys, "user_editable": false,
                    "user_id": u.user_id, "user_realm": REALM, "username": u.login,
                })
            })
            .collect();
        let mut c = Map::new();
        c.insert(
            "result".into(),
            json!({"status": true, "value": {"count": tokens.len(), "next": null, "prev": null, "tokens": tokens}}),
        );
        self.answer(200, 1, c, nonce, Fault::None)
    }
}

/// `*` as any run of characters (privacyIDEA's user search), the rest literal.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim() -> PrivacyIdeaSim {
        PrivacyIdeaSim::new(&[("svc".into(), "pw".into())])
    }

    fn call(
        sim: &PrivacyIdeaSim,
        method: &str,
        path: &str,
        query: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, Value) {
        let r = sim.handle(Incoming {
            method,
            path,
            query,
            token,
            body: body.as_bytes(),
            directory: &Directory::demo(),
        });
        let v = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        (r.status, v)
    }

    #[test]
    fn the_service_account_gets_a_token_that_admin_calls_need() {
        let s = sim();
        let (status, v) = call(
            &s,
            "POST",
            "/auth",
            "",
            None,
            "username=svc&password=pw&nonce=n1",
        );
        assert_eq!(status, 200);
        assert_eq!(v["nonce"], "n1");
        let token = v["result"]["value"]["token"].as_str().unwrap().to_owned();
        assert!(s.token_ok(&token));
        assert!(!s.token_ok(&format!("{token}x")));
        let (status, v) = call(&s, "POST", "/auth", "", None, "username=svc&password=pX");
        assert_eq!(
            (status, v["result"]["error"]["code"].as_i64()),
            (401, Some(4031))
        );
        let (status, _) = call(
            &s,
            "POST",
            "/validate/triggerchallenge",
            "",
            None,
            "user=alice&realm=contoso",
        );
        assert_eq!(status, 401);
        let (status, v) = call(
            &s,
            "POST",
            "/validate/triggerchallenge",
            "",
            Some(&token),
            "user=alice&realm=contoso",
        );
        assert_eq!(status, 200);
        assert_eq!(v["result"]["value"], 1);
        assert!(s
            .calls
            .lock()
            .unwrap()
            .iter()
            .all(|c| c.params.iter().all(|(k, v)| k != "password" || v == "***")));
    }

    #[test]
    fn the_glob_matches_as_privacyidea_searches() {
        assert!(glob("al*", "alice"));
        assert!(glob("*ce", "alice"));
        assert!(glob("a*i*e", "alice"));
        assert!(!glob("b*", "alice"));
        assert!(glob("alice", "alice"));
        assert!(!glob("alic", "alice"));
    }
}
