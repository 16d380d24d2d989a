//! Okta's org authorization server for a service app: `POST /oauth2/v1/token` with the
//! client-credentials grant and a `private_key_jwt` client assertion (RS256 or ES256),
//! checked as Okta checks it (signature with the app's registered public key, `iss` and
//! `sub` the client id, `aud` the token endpoint, not expired, at most an hour long, `jti`
//! used once, the scopes granted); answers a Bearer access token the API then accepts.

use base64::Engine as _;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair, UnparsedPublicKey};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The scopes the service app is granted.
pub const GRANTED_SCOPES: &[&str] = &["okta.users.read", "okta.users.manage"];
/// How long an access token lasts.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// A registered service app: its client id and public key.
pub struct ServiceApp {
    client_id: String,
    /// (algorithm name, public key bytes).
    public: (&'static str, Vec<u8>),
    used_jti: Mutex<HashSet<String>>,
    tokens: Mutex<HashMap<String, Instant>>,
    next: std::sync::atomic::AtomicU64,
}

fn b64url(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()
}

fn oauth_error(error: &str, description: &str) -> (u16, String) {
    (
        if error == "invalid_client" { 401 } else { 400 },
        json!({ "error": error, "error_description": description }).to_string(),
    )
}

impl ServiceApp {
    /// Registers `client_id` with the public half of `pem` (a PKCS#8 RSA or P-256 key; the
    /// simulator keeps only the public key).
    pub fn new(client_id: &str, pem: &str) -> Result<Self, String> {
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| format!("service app key: {e}"))?;
        let PrivateKeyDer::Pkcs8(k) = der else {
            return Err("service app key: give a PKCS#8 PEM key".into());
        };
        let bytes = k.secret_pkcs8_der();
        let public = if let Ok(rsa) = RsaKeyPair::from_pkcs8(bytes) {
            ("RS256", rsa.public().as_ref().to_vec())
        } else {
            let ec = EcdsaKeyPair::from_pkcs8(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                bytes,
                &ring::rand::SystemRandom::new(),
            )
            .map_err(|_| "service app key: neither RSA nor EC P-256".to_string())?;
            ("ES256", ec.public_key().as_ref().to_vec())
        };
        Ok(Self {
            client_id: client_id.into(),
            public,
            used_jti: Mutex::default(),
            tokens: Mutex::default(),
            next: std::sync::atomic::AtomicU64::new(1),
        })
    }

    /// Whether `token` is an access token this app was issued and that has not expired.
    pub fn accepts(&self, token: &str) -> bool {
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .is_some_and(|until| Instant::now() < *until)
    }

    /// Answers `POST /oauth2/v1/token` (form `params`) for the org at `origin`.
    pub fn token(&self, params: &HashMap<String, String>, origin: &str) -> (u16, String) {
        let get = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
        if get("grant_type") != "client_credentials" {
            return oauth_error("unsupported_grant_type", "The grant type is not supported.");
        }
        if get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        {
            return oauth_error(
                "invalid_client",
                "client_assertion_type is missing or wrong.",
            );
        }
        if let Err(why) = self.check_assertion(get("client_assertion"), origin) {
            return oauth_error("invalid_client", why);
        }
        let scopes: Vec<&str> = get("scope").split(' ').filter(|s| !s.is_empty()).collect();
        if scopes.is_empty() || scopes.iter().any(|s| !GRANTED_SCOPES.contains(s)) {
            return oauth_error(
                "invalid_scope",
                "The following scopes are not allowed or not granted.",
            );
        }
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = format!("eyJsim.{n:08}.access-token-for-mfa-sim-only");
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.clone(), Instant::now() + TOKEN_LIFETIME);
        (
            200,
            json!({
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME.as_secs(),
                "access_token": token,
                "scope": scopes.join(" "),
            })
            .to_string(),
        )
    }

    fn check_assertion(&self, jwt: &str, origin: &str) -> Result<(), &'static str> {
        let mut parts = jwt.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("The client_assertion is not a JWT.");
        };
        let header: Value = b64url(h)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("The client_assertion header is not JSON.")?;
        if header.get("alg").and_then(Value::as_str) != Some(self.public.0) {
            return Err("The client_assertion algorithm does not match the registered key.");
        }
        let sig = b64url(s).ok_or("The client_assertion signature is not base64url.")?;
        let input = format!("{h}.{c}");
        let verified = match self.public.0 {
            "RS256" => {
                UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.public.1)
                    .verify(input.as_bytes(), &sig)
            }
            _ => UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &self.public.1)
                .verify(input.as_bytes(), &sig),
        };
        verified.map_err(|_| "The client_assertion signature is invalid.")?;
        let claims: Value = b64url(c)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("The client_assertion claims are not JSON.")?;
        let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or_default();
        if text("iss") != self.client_id || text("sub") != self.client_id {
            return Err("The client_assertion iss and sub must be the client id.");
        }
        if text("aud") != format!("{origin}/oauth2/v1/token") {
            return Err("The audience of the client_assertion is not the token endpoint.");
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let (iat, exp) = (
            claims.get("iat").and_then(Value::as_i64).unwrap_or(0),
            claims.get("exp").and_then(Value::as_i64).unwrap_or(0),
        );
        if exp <= now || exp - iat > 3600 || iat > now + 60 {
            return Err("The client_assertion is expired or lasts more than an hour.");
        }
        let jti = text("jti");
        if jti.is_empty()
            || !self
                .used_jti
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(jti.to_owned())
        {
            return Err("The client_assertion jti is missing or was already used.");
        }
        Ok(())
    }
}
