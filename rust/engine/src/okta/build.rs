//! How Okta is checked and built: its entry in the registry's constructor table
//! (`crate::registry::build`, above the providers); its description is `spec.rs`.

use crate::provider::Constructor;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Okta's checks and constructor.
pub static CONSTRUCTOR: Constructor = Constructor {
    spec: &super::spec::SPEC,
    validate: |c, s| super::config::validate(c, s, c.scheme()?),
    assume: |c, s| {
        if c.client_id.is_some() {
            s.okta_private_key = Some(Zeroizing::new(super::config::ASSUMED_KEY.into()));
        } else {
            s.okta_api_token = Some(Zeroizing::new("x".repeat(40)));
        }
    },
    build: |c, s, r| Ok(Arc::new(super::Okta::new(c, s, r)?)),
};
