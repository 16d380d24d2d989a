//! How RADIUS is checked and built: its entry in the registry's constructor table
//! (`crate::registry::build`, above the providers); its description is `spec.rs`.

use crate::provider::Constructor;
use std::sync::Arc;
use zeroize::Zeroizing;

/// RADIUS's checks and constructor.
pub static CONSTRUCTOR: Constructor = Constructor {
    spec: &super::spec::SPEC,
    validate: super::config::validate,
    assume: |c, s| {
        s.radius_shared_secret = Some(Zeroizing::new("x".into()));
        if c.password_mode == crate::config::PasswordMode::Fixed {
            s.radius_password = Some(Zeroizing::new(String::new()));
        }
    },
    build: |c, s, r| Ok(Arc::new(super::Radius::new(c, s, r)?)),
};
