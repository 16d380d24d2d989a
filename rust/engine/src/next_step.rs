//! What to do next, for every failure kind: one sentence naming the parameter to change,
//! appended to a failed outcome's message as `Next: …`. Parameters are named as the
//! PowerShell cmdlets spell them, with the configuration field in parentheses for other hosts.
//! Messages that know better (a pin mismatch with both hashes, a code the server sent: see
//! [`describe_error`] and [`call_result_next_step`]) carry their own `Next:` and keep it.

use crate::outcome::FailureKind;

/// The marker that starts a next step in a message.
pub const MARKER: &str = "Next: ";

/// The next step for a failure of `kind` with `provider` (a registered name): the provider's
/// own sentence from its registry entry where it has one, else the generic one; empty for
/// [`FailureKind::Provider`] (the provider's codes say what to do, see [`crate::codes`]).
pub fn for_kind(kind: FailureKind, provider: &str) -> &'static str {
    if kind == FailureKind::Provider {
        return "";
    }
    crate::registry::find(provider)
        .and_then(|p| p.step(kind))
        .unwrap_or_else(|| generic(kind))
}

/// The next step any provider shares.
fn generic(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Provider => "",
        FailureKind::Challenge => "the RADIUS server asked for another step (an Access-Challenge, e.g. a one-time code), which MfaApproval does not answer: configure the server to push without a challenge (docs/radius.md).",
        FailureKind::Dns => "check the host name in -Uri (uri) and this machine's DNS; behind a proxy, give -Proxy or -UseSystemProxy (proxy).",
        FailureKind::Connect => "check the host and port in -Uri (uri), that the server answers there, and the firewall; behind a proxy, give -Proxy or -UseSystemProxy (proxy).",
        FailureKind::Tls => "for a server certificate from a private CA, pass that CA's certificate with -CaCertificateFile (caCertificateFile), or pin the server's own certificate with -ServerCertificateHash (serverCertificateSha256); a name mismatch means -Uri must use a name the certificate holds.",
        FailureKind::CertificatePin => "check the server's current certificate (it may have been renewed) and put its SHA-256 in -ServerCertificateHash (serverCertificateSha256); until then nothing is sent to it.",
        FailureKind::Authentication => "check -Credential (userName and its password) or -ClientCertificateFile against the server.",
        FailureKind::HttpStatus => "check the path in -Uri (uri) and the server's logs; 429 and 503 mean the server is busy: try again later.",
        FailureKind::SoapFault => "the MFA Server SDK reported a fault: see its text and the SDK's logs on the server (MultiFactorAuthWebServiceSdk).",
        FailureKind::Protocol => "the answer was not the one expected (a wrong -Uri/-ApiHost, or a proxy or login page in between?); nothing was approved.",
        FailureKind::Timeout => "the person did not answer in time, or the server or network is slow: give more time with -Timeout (the whole wait) or -HttpTimeout (httpTimeoutSeconds, one HTTP call).",
        FailureKind::Cancelled => "nothing to do: the request was cancelled (Ctrl+C, Stop-MfaApproval, or a quorum already decided).",
        FailureKind::Transport => "the connection broke: try again; if it keeps happening, look for a proxy, load balancer or firewall that cuts connections.",
        FailureKind::Internal => "this is a bug in MfaApproval: try again, and report it with the -Verbose output.",
        FailureKind::Proxy => "check -Proxy (proxy) and -ProxyCredential (proxyUserName and its password); HTTP 407 means the proxy wants other credentials.",
        FailureKind::Identity => "name each approver once, by a name the provider knows, and name people to keep out (-ExcludeUserName) the same way; two names that reach one person's account or phone are one person.",
    }
}

/// `message` with the next step for `kind` appended, unless it already has one.
pub fn annotate(message: String, kind: FailureKind, provider: &str) -> String {
    let step = for_kind(kind, provider);
    if step.is_empty() || message.contains(MARKER) {
        return message;
    }
    let mut out = message;
    if !out.is_empty() && !out.ends_with('.') {
        out.push('.');
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(MARKER);
    out.push_str(step);
    out
}

/// What an MFA Server `error` code means and what to do, for the codes the SDK reference names.
pub fn error_meaning(code: i32) -> Option<(&'static str, &'static str, &'static str)> {
    match code {
        crate::codes::ERROR_USER_NOT_FOUND => Some((
            "USER_NOT_FOUND",
            "the MFA Server does not know this user",
            "check the user name (as the MFA Server stores it, usually the UPN), or add the user to the MFA Server (Users, or its directory synchronisation).",
        )),
        crate::codes::ERROR_MFA_DENIED => Some((
            "MFA_DENIED",
            "the MFA Server refused the request",
            "newer servers refuse direct SDK calls: use -InitiatingAuthenticationType userportal (initiatingAuthenticationType).",
        )),
        _ => None,
    }
}

/// `Error 10 USER_NOT_FOUND: the MFA Server does not know this user. Next: …` for a code
/// [`error_meaning`] knows; `error N: <the server's description>` otherwise.
pub fn describe_error(code: i32, description: &str) -> String {
    match error_meaning(code) {
        Some((name, meaning, next)) => format!("Error {code} {name}: {meaning}. {}{next}", MARKER),
        None => format!("error {code}: {description}"),
    }
}

/// What to do after an MFA Server CallResult that is neither an approval nor a person's answer.
pub fn call_result_next_step(code: i32) -> Option<&'static str> {
    match code {
        14 => Some("the user is blocked in the MFA Server (after a fraud report, for example): an administrator unblocks them in the MFA Server console."),
        101 => Some("an approval for this user is already waiting: let it finish, then try again."),
        135 | 136 => Some("the user's phone cannot be reached (blocked devices, or a failed notification): check the user's devices in the MFA Server console."),
        149 => Some("this MFA Server refuses direct SDK calls: use -InitiatingAuthenticationType userportal (initiatingAuthenticationType)."),
        150 => Some("the MFA Server is throttling this user's authentications: wait, then try again."),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_but_provider_has_a_step_for_every_provider() {
        for kind in FailureKind::ALL {
            for provider in crate::registry::names() {
                let step = for_kind(*kind, provider);
                assert_eq!(step.is_empty(), *kind == FailureKind::Provider, "{kind:?}");
            }
        }
    }

    #[test]
    fn a_message_keeps_its_own_step() {
        let own = annotate("x. Next: y".into(), FailureKind::Tls, "mfaserver");
        assert_eq!(own, "x. Next: y");
        let added = annotate(
            "cannot connect: refused".into(),
            FailureKind::Connect,
            "mfaserver",
        );
        assert!(
            added.starts_with("cannot connect: refused. Next: check the host"),
            "{added}"
        );
    }
}
