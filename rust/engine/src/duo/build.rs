//! How Duo is checked and built: its entry in the registry's constructor table
//! (`crate::registry::build`, above the providers); its description is `spec.rs`.

use crate::provider::Constructor;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Duo's checks and constructor.
pub static CONSTRUCTOR: Constructor = Constructor {
    spec: &super::spec::SPEC,
    validate: |c, s| super::config::validate(c, s, c.scheme()?),
    assume: |_, s| s.duo_secret_key = Some(Zeroizing::new("x".repeat(40))),
    build: |c, s, r| Ok(Arc::new(super::Duo::new(c, s, r)?)),
};
