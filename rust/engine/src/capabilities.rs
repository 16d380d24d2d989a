//! What the engine accepts, as one JSON document: the lists and limits a host needs
//! *before* it calls (tab completion, parameter sets), so no host copies a rule.
//!
//! The values come from the same constants the validation uses ([`crate::config`],
//! the request module, [`crate::outcome`]); a host that validates with them and the engine
//! can never disagree.

use crate::check::{MAX_NAME_CHARS, MAX_SECONDS};
use crate::outcome::{FailureKind, Status};
use crate::request::{Operation, DEFAULT_TIMEOUT_SECONDS, MODES};
use mfa_protocol::soap::AUTHENTICATION_TYPES;
use serde_json::{json, Value};

/// The capabilities document (see the C ABI's `mfa_capabilities`).
pub fn capabilities() -> Value {
    json!({
        "providers": crate::registry::names(),
        "providerDetails": crate::registry::describe_all(),
        "configurationFields": {
            "common": crate::registry::COMMON_FIELDS.iter().map(|f| f.json).collect::<Vec<_>>(),
            "http": crate::registry::HTTP_FIELDS.iter().map(|f| f.json).collect::<Vec<_>>(),
        },
        "signatureVersions": [5, 2],
        "proxyModes": ["none", "system", "url"],
        "operations": Operation::ALL.iter().map(|o| o.name()).collect::<Vec<_>>(),
        "modes": MODES,
        "initiatingAuthenticationTypes": AUTHENTICATION_TYPES,
        "basicModes": ["preemptive", "challenge"],
        "radiusPasswordModes": ["none", "fixed"],
        "radiusDefaultPort": mfa_protocol::radius::DEFAULT_PORT,
        "failureKinds": FailureKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "statuses": Status::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "require": ["any", "all"],
        "auditRequired": crate::audit::config::REQUIRED,
        "syslogTransports": ["udp", "tcp", "tls"],
        "auditReasons": crate::audit::verify::Reason::ALL.iter().map(|r| r.name()).collect::<Vec<_>>(),
        "auditEvents": {
            "source": crate::audit::event::EVENT_SOURCE,
            "ids": crate::audit::event::Entry::all().iter().map(|e| (e.name(), json!(e.event_id()))).collect::<serde_json::Map<String, Value>>(),
        },
        "limits": {
            "nameMaxChars": MAX_NAME_CHARS,
            "secondsMax": MAX_SECONDS,
            "approversMax": crate::approval::MAX_APPROVERS,
            "defaultTimeoutSeconds": DEFAULT_TIMEOUT_SECONDS,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_what_validation_accepts() {
        let c = capabilities();
        assert_eq!(c["modes"].as_array().unwrap().len(), MODES.len());
        assert_eq!(c["limits"]["nameMaxChars"], 256);
        assert_eq!(c["limits"]["secondsMax"], 86_400.0);
        assert!(c["failureKinds"]
            .as_array()
            .unwrap()
            .contains(&json!("certificatePin")));
        assert!(c["operations"]
            .as_array()
            .unwrap()
            .contains(&json!("authenticate")));
    }
}
