//! The `privacyidea` object of the client configuration, as data: a leaf the client
//! configuration holds (`crate::config` re-exports it) while the checks of it, which read the
//! whole configuration, stay in `config` (so the two do not import each other).

use serde::Deserialize;

/// `privacyidea` in the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrivacyIdeaConfig {
    /// The realm the approvers are in (sent as `realm` with every user; required, so a
    /// name is never resolved in whatever the server's default realm is).
    pub realm: String,
    /// The server's response signing key: a PEM public key file (`PI_AUDIT_KEY_PUBLIC` of
    /// the server's `pi.cfg`). With it, an answer whose signature is missing or does not
    /// verify is never read, so nothing between the engine and privacyIDEA can forge an
    /// approval.
    #[serde(default)]
    pub response_signing_key_file: Option<String>,
}
