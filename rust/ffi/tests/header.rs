//! The committed header must equal a fresh cbindgen generation.
//! `MFA_UPDATE_HEADER=1 cargo test -p mfa-approval --test header` rewrites it.

use std::path::PathBuf;

#[test]
fn committed_header_matches_a_fresh_generation() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut fresh = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut fresh);
    let path = crate_dir.join("include/mfa_approval.h");
    if std::env::var_os("MFA_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &fresh).expect("write header");
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/mfa_approval.h is stale: run MFA_UPDATE_HEADER=1 cargo test -p mfa-approval --test header and commit it"
    );
}
