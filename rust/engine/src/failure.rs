//! What kind of failure ended a request ([`FailureKind`]): a leaf every layer reads (the
//! outcome, the next steps, the providers' errors), so none of them has to import another
//! to name a kind. `crate::outcome` re-exports it (`mfa_engine::outcome::FailureKind`).

use serde::Serialize;

/// What went wrong, for outcomes that failed before the provider gave an answer. Each
/// kind comes from a typed error (never from searching error text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    /// The provider answered; see the codes.
    Provider,
    /// The server's name did not resolve.
    Dns,
    /// The TCP connection failed (refused, unreachable).
    Connect,
    /// The TLS handshake failed (untrusted certificate, protocol).
    Tls,
    /// The server certificate did not match any configured SHA-256 pin.
    CertificatePin,
    /// The server refused the caller's credentials (HTTP 401/403).
    Authentication,
    /// An HTTP status other than 200 without a SOAP fault.
    HttpStatus,
    /// The server answered with a SOAP fault.
    SoapFault,
    /// The answer was not the expected document (malformed, truncated, too large,
    /// ambiguous: duplicated or mixed values).
    Protocol,
    /// An HTTP call or the overall deadline ran out.
    Timeout,
    /// The caller cancelled.
    Cancelled,
    /// The connection broke after it was made (reset, closed mid-body).
    Transport,
    /// A bug inside the engine (a caught panic); never an approval.
    Internal,
    /// The configured proxy refused the tunnel (407: credentials; or another error).
    Proxy,
    /// The server asked for another step (a RADIUS Access-Challenge, e.g. a one-time
    /// code) that this product does not perform; never an approval.
    Challenge,
    /// Four eyes could not be established by identity: two names are one person as the
    /// provider resolves them, an excluded name could not be identified, or the provider
    /// cannot tell people apart (`allowNameOnlyIdentity` not set); nothing was pushed.
    Identity,
}

impl FailureKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [FailureKind] = &[
        FailureKind::Provider,
        FailureKind::Dns,
        FailureKind::Connect,
        FailureKind::Tls,
        FailureKind::CertificatePin,
        FailureKind::Authentication,
        FailureKind::HttpStatus,
        FailureKind::SoapFault,
        FailureKind::Protocol,
        FailureKind::Timeout,
        FailureKind::Cancelled,
        FailureKind::Transport,
        FailureKind::Internal,
        FailureKind::Proxy,
        FailureKind::Challenge,
        FailureKind::Identity,
    ];

    /// The kind's name in the outcome JSON (`failureKind`).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}
