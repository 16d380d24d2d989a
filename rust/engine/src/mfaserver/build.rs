//! How MFA Server is checked and built: its entry in the registry's constructor table
//! (`crate::registry::build`, above the providers); its description is `spec.rs`.

use crate::provider::Constructor;
use std::sync::Arc;

/// MFA Server's checks and constructor.
pub static CONSTRUCTOR: Constructor = Constructor {
    spec: &super::spec::SPEC,
    validate: |c, s| super::config::validate(c, s, c.scheme()?),
    assume: |_, _| {},
    build: |c, s, r| Ok(Arc::new(super::MfaServer::new(c, s, r)?)),
};
