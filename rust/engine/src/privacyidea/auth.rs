//! The service account's session: `POST /auth` with its user name and password gives a
//! token (a JWT, `result.value.token`) that every admin call carries in `PI-Authorization`
//! (privacyIDEA 3.14, `privacyidea/api/auth.py`). The token is valid for an hour unless the
//! webui policy `jwt_validity` says otherwise; its `exp` claim against the answer's `time`
//! (the server's clock, so a skewed local clock does not matter) says how long, and it is
//! reused until a minute before that. A call answered 401 with a reused token gets a new
//! one once (the token expired or the server restarted with another secret).
//!
//! The password and the token stay in zeroized memory; neither reaches a message (the
//! password is registered with the connection's redactor, the token is removed from server
//! text by the API before it is bounded).

use super::api::{Api, CallError, Retry};
use crate::json::StrictValue;
use crate::outcome::FailureKind;
use base64::Engine as _;
use reqwest::Method;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use zeroize::Zeroizing;

/// Used when the token's lifetime cannot be read from it.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// A token is replaced this long before it expires.
const MARGIN: Duration = Duration::from_secs(60);

/// A token, when to replace it, and the admin rights privacyIDEA listed with it.
struct Current {
    token: Zeroizing<String>,
    until: Instant,
    rights: Vec<String>,
}

/// The service account and its current token.
pub struct Session {
    user: String,
    password: Zeroizing<String>,
    token: Mutex<Option<Current>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// A token and whether it was fetched for this call (a fresh token that is refused is
/// not fetched again).
pub struct Token {
    /// The token.
    pub value: Zeroizing<String>,
    /// Fetched just now.
    pub fresh: bool,
}

/// The token's `exp` claim (seconds since 1970), read without checking the token (the
/// server checks it; this only schedules the next `/auth`).
fn expiry(jwt: &str) -> Option<f64> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    match StrictValue::parse_object(&bytes).ok()?.get("exp")? {
        StrictValue::Int(i) => Some(*i as f64),
        StrictValue::Float(f) => Some(*f),
        _ => None,
    }
}

/// How long a token issued with `answer` lasts: its `exp` less the answer's `time`, at most
/// a day; [`DEFAULT_LIFETIME`] when either is missing.
pub fn lifetime(token: &str, answer: &StrictValue) -> Duration {
    let now = match answer.get("time") {
        Some(StrictValue::Float(f)) => Some(*f),
        Some(StrictValue::Int(i)) => Some(*i as f64),
        _ => None,
    };
    match (expiry(token), now) {
        (Some(exp), Some(now)) if exp.is_finite() && now.is_finite() => {
            Duration::from_secs_f64((exp - now).clamp(0.0, 86_400.0))
        }
        _ => DEFAULT_LIFETIME,
    }
}

impl Session {
    /// The service account `user` with `password`.
    pub fn new(user: &str, password: &str) -> Self {
        Self {
            user: user.to_owned(),
            password: Zeroizing::new(password.to_owned()),
            token: Mutex::new(None),
        }
    }

    /// The current token, or a new one from `POST /auth`.
    pub async fn token(&self, api: &Api) -> Result<Token, CallError> {
        self.current(api).await.map(|(token, _)| token)
    }

    /// The admin rights privacyIDEA gives the service account (`result.value.rights` of
    /// `/auth`), signing in when there is no current token.
    pub async fn rights(&self, api: &Api) -> Result<Vec<String>, CallError> {
        self.current(api).await.map(|(_, rights)| rights)
    }

    async fn current(&self, api: &Api) -> Result<(Token, Vec<String>), CallError> {
        let mut slot = self.token.lock().await;
        if let Some(c) = &*slot {
            if Instant::now() < c.until {
                let token = Token {
                    value: c.token.clone(),
                    fresh: false,
                };
                return Ok((token, c.rights.clone()));
            }
        }
        let url = api.url("/auth", None);
        let params = [
            ("username", self.user.as_str()),
            ("password", self.password.as_str()),
        ];
        let answer = api
            .call(Method::POST, &url, &params, None, Retry::Safe, "auth")
            .await
            .map_err(|e| {
                if e.is_authentication() {
                    e.map_message(|m| {
                        format!(
                            "{m}: privacyIDEA refused the service account (user name or password)"
                        )
                    })
                } else {
                    e
                }
            })?;
        let value = answer.result().get("value");
        let token = match value.map(|v| v.str_field("token")) {
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                return Err(CallError::new(
                    FailureKind::Protocol,
                    format!("auth: {e}; not an approval"),
                ))
            }
            None => {
                return Err(CallError::new(
                    FailureKind::Protocol,
                    "auth: the answer has no token (result.value); not an approval",
                ))
            }
        };
        if token.is_empty() || token.len() > 8192 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(CallError::new(
                FailureKind::Protocol,
                "auth: the token is not a usable header value",
            ));
        }
        if let Some(role) = value
            .and_then(|v| v.get("role"))
            .and_then(StrictValue::as_str)
        {
            if role != "admin" {
                return Err(CallError::new(
                    FailureKind::Authentication,
                    "auth: the service account signed in as a user, not an admin: make it a privacyIDEA admin (pi-manage admin add) with the triggerchallenge right",
                ));
            }
        }
        let rights: Vec<String> = match value.and_then(|v| v.get("rights")) {
            Some(StrictValue::Array(list)) => list
                .iter()
                .filter_map(StrictValue::as_str)
                .take(256)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        let life = lifetime(token, &answer.doc);
        let token = Zeroizing::new(token.to_owned());
        *slot = Some(Current {
            token: token.clone(),
            until: Instant::now() + life.saturating_sub(MARGIN),
            rights: rights.clone(),
        });
        let token = Token {
            value: token,
            fresh: true,
        };
        Ok((token, rights))
    }

    /// Forgets `token` (refused by the server); a newer one stays.
    pub async fn forget(&self, token: &str) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|c| c.token.as_str() == token) {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b(r#"{"alg":"HS256"}"#), b(payload))
    }

    #[test]
    fn the_lifetime_is_measured_on_the_servers_clock() {
        let answer = StrictValue::parse(br#"{"time": 1000.5}"#).unwrap();
        assert_eq!(
            lifetime(&jwt(r#"{"exp":4600}"#), &answer),
            Duration::from_secs_f64(3599.5)
        );
        assert_eq!(lifetime(&jwt(r#"{"exp":10}"#), &answer), Duration::ZERO);
        assert_eq!(
            lifetime(&jwt(r#"{"exp":1e300}"#), &answer),
            Duration::from_secs(86_400)
        );
        for odd in ["opaque", "a.b.c", &jwt(r#"{"exp":"4600"}"#), &jwt("[1]")] {
            assert_eq!(lifetime(odd, &answer), DEFAULT_LIFETIME, "{odd}");
        }
        let no_time = StrictValue::parse(b"{}").unwrap();
        assert_eq!(
            lifetime(&jwt(r#"{"exp":4600}"#), &no_time),
            DEFAULT_LIFETIME
        );
    }
}
