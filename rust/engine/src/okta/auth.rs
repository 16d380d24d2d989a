//! The credential every Okta call carries: an API token (`SSWS <token>`), or an OAuth 2.0
//! service app's access token (`Bearer <token>`), got with the client-credentials grant and
//! a `private_key_jwt` client assertion signed here (RS256 or ES256 with `ring`) and reused
//! until a minute before it expires. The token, the key and the assertion stay in zeroized
//! memory; none of them reaches a message.

use super::error::CallError;
use crate::json::StrictValue;
use crate::outcome::FailureKind;
use crate::redact::Redactor;
use crate::transport::{classify, read_limited};
use base64::Engine as _;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Url;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// The scopes an approval needs: read the user and its factors, verify a factor.
pub const SCOPES: &str = "okta.users.read okta.users.manage";
/// What to check when Okta refuses the service app.
const SERVICE_APP_REFUSED: &str = "check -ClientId and -PrivateKeyFile (clientId and the oktaPrivateKey secret), the public key registered for the service app and its granted scopes okta.users.read and okta.users.manage, in the Okta Admin Console; and -OrgUrl (uri).";
/// How long a client assertion is valid (Okta allows at most an hour).
const ASSERTION_SECONDS: u64 = 300;

/// The service app's signing key.
enum Key {
    Rs256(RsaKeyPair),
    Es256(EcdsaKeyPair),
}

/// An OAuth 2.0 service app (client credentials, `private_key_jwt`).
pub struct ServiceApp {
    client_id: String,
    key: Key,
    /// The access token and when to fetch a new one.
    token: Mutex<Option<(Zeroizing<String>, Instant)>>,
}

/// How calls authenticate.
pub enum Credential {
    /// An API token.
    ApiToken(Zeroizing<String>),
    /// A service app.
    ServiceApp(Box<ServiceApp>),
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn auth_failure(message: impl Into<String>) -> CallError {
    CallError::new(FailureKind::Authentication, message)
}

impl ServiceApp {
    /// Reads the PEM key (PKCS#8 RSA or P-256, or PKCS#1 RSA). The error names the problem,
    /// never the key.
    pub fn new(client_id: &str, pem: &str) -> Result<Self, String> {
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes())
            .map_err(|_| "is not a PEM private key".to_string())?;
        let rng = SystemRandom::new();
        let key = match &der {
            PrivateKeyDer::Pkcs8(k) => {
                let bytes = k.secret_pkcs8_der();
                if let Ok(rsa) = RsaKeyPair::from_pkcs8(bytes) {
                    Key::Rs256(rsa)
                } else {
                    EcdsaKeyPair::from_pkcs8(
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        bytes,
                        &rng,
                    )
                    .map(Key::Es256)
                    .map_err(|_| {
                        "is a PKCS#8 key that is neither RSA (2048 bits or more) nor EC P-256"
                            .to_string()
                    })?
                }
            }
            PrivateKeyDer::Pkcs1(k) => {
                RsaKeyPair::from_der(k.secret_pkcs1_der())
                    .map(Key::Rs256)
                    .map_err(|_| "is not a usable RSA key (2048 bits or more)".to_string())?
            }
            _ => return Err(
                "is an EC key in SEC1 form; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)"
                    .into(),
            ),
        };
        Ok(Self {
            client_id: client_id.to_owned(),
            key,
            token: Mutex::new(None),
        })
    }

    /// A signed client assertion for the org's token endpoint.
    fn assertion(&self, audience: &str) -> Result<Zeroizing<String>, CallError> {
        let rng = SystemRandom::new();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut jti = [0u8; 16];
        rng.fill(&mut jti)
            .map_err(|_| CallError::new(FailureKind::Internal, "no random numbers"))?;
        let alg = match self.key {
            Key::Rs256(_) => "RS256",
            Key::Es256(_) => "ES256",
        };
        let header = serde_json::json!({ "alg": alg, "typ": "JWT" }).to_string();
        let claims = serde_json::json!({
            "aud": audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
            "jti": jti.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        })
        .to_string();
        let input = format!(
            "{}.{}",
            b64url(header.as_bytes()),
            b64url(claims.as_bytes())
        );
        let sig = match &self.key {
            Key::Rs256(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    input.as_bytes(),
                    &mut sig,
                )
                .map_err(|_| {
                    CallError::new(FailureKind::Internal, "cannot sign the client assertion")
                })?;
                sig
            }
            Key::Es256(k) => k
                .sign(&rng, input.as_bytes())
                .map_err(|_| {
                    CallError::new(FailureKind::Internal, "cannot sign the client assertion")
                })?
                .as_ref()
                .to_vec(),
        };
        Ok(Zeroizing::new(format!("{input}.{}", b64url(&sig))))
    }

    /// The current access token, fetching one when there is none or it is about to expire.
    async fn access_token(
        &self,
        http: &reqwest::Client,
        origin: &Url,
        timeout: Duration,
        redactor: &Redactor,
    ) -> Result<Zeroizing<String>, CallError> {
        if let Some((token, until)) = &*self.token.lock().unwrap_or_else(|p| p.into_inner()) {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let mut url = origin.clone();
        url.set_path("/oauth2/v1/token");
        let assertion = self.assertion(url.as_str())?;
        let body = Zeroizing::new(mfa_protocol::duo::encode_params(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPES),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ]));
        let response = http
            .post(url)
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(body.as_bytes().to_vec())
            .send()
            .await
            .map_err(|e| {
                let t = classify(&e, timeout, redactor);
                CallError::new(t.kind, format!("token: {}", t.message)).with_source(e.without_url())
            })?;
        let status = response.status().as_u16();
        let bytes = read_limited(response, timeout, redactor)
            .await
            .map_err(|t| CallError::new(t.kind, format!("token: {}", t.message)))?;
        let doc = StrictValue::parse_object(&bytes);
        if status != 200 {
            // Lenient on purpose: this text only explains a refusal.
            let field = |key| {
                doc.as_ref()
                    .ok()
                    .and_then(|d| d.get(key))
                    .and_then(StrictValue::as_str)
                    .unwrap_or_default()
            };
            let (error, description) = (field("error"), field("error_description"));
            let text = redactor.server_text_within(&format!("{error} {description}"), 200);
            return Err(auth_failure(format!(
                "token: the service app got no access token (HTTP {status}: {text}). {}{SERVICE_APP_REFUSED}",
                crate::next_step::MARKER
            )));
        }
        let doc = doc.map_err(|e| CallError::new(FailureKind::Protocol, format!("token: {e}")))?;
        let kind = doc
            .str_field("token_type")
            .map_err(|e| CallError::new(FailureKind::Protocol, format!("token: {e}")))?;
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(auth_failure(
                "token: Okta issued a DPoP-bound token, which this client does not support; turn off 'Require Demonstrating Proof of Possession' for the service app",
            ));
        }
        let token = doc
            .str_field("access_token")
            .map_err(|e| CallError::new(FailureKind::Protocol, format!("token: {e}")))?;
        if token.is_empty() || token.len() > 8192 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(CallError::new(
                FailureKind::Protocol,
                "token: the access token is not a usable header value",
            ));
        }
        let lifetime = doc.i64_field("expires_in").unwrap_or(300).clamp(0, 86_400) as u64;
        let token = Zeroizing::new(token.to_owned());
        let until = Instant::now() + Duration::from_secs(lifetime.saturating_sub(60));
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = Some((token.clone(), until));
        Ok(token)
    }

    /// The cached access token, if any (to scrub it from server text).
    fn current(&self) -> Option<Zeroizing<String>> {
        self.token
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|(t, _)| t.clone())
    }
}

impl Credential {
    /// What to check when Okta refuses this credential (401/403): only the one in use.
    pub fn refused_next_step(&self) -> &'static str {
        match self {
            Credential::ApiToken(_) => "check -ApiToken (the oktaApiToken secret: an active token, made by an admin who may read and manage users) in the Okta Admin Console (Security > API > Tokens); and -OrgUrl (uri).",
            Credential::ServiceApp(_) => SERVICE_APP_REFUSED,
        }
    }

    /// The `Authorization` header value for the next call.
    pub async fn header(
        &self,
        http: &reqwest::Client,
        origin: &Url,
        timeout: Duration,
        redactor: &Redactor,
    ) -> Result<HeaderValue, CallError> {
        let text = match self {
            Credential::ApiToken(t) => Zeroizing::new(format!("SSWS {}", t.as_str())),
            Credential::ServiceApp(app) => Zeroizing::new(format!(
                "Bearer {}",
                app.access_token(http, origin, timeout, redactor)
                    .await?
                    .as_str()
            )),
        };
        HeaderValue::from_str(&text).map_err(|_| {
            CallError::new(
                FailureKind::Internal,
                "cannot build the Authorization header",
            )
        })
    }

    /// `text` without the current access token in any spelling (the API token and the key
    /// are registered with the connection's redactor; the access token is only known at run
    /// time). Nothing is cut here: the caller bounds the text after this.
    pub fn scrub(&self, text: &str) -> String {
        match self {
            Credential::ServiceApp(app) => match app.current() {
                Some(t) if !t.is_empty() => Redactor::new(None, &[t.as_str()]).scrub(text),
                _ => text.to_owned(),
            },
            Credential::ApiToken(_) => text.to_owned(),
        }
    }
}
