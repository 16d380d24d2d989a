//! The committed header must equal a fresh cbindgen generation, line by line: a checkout
//! with CRLF line endings (Git for Windows' `core.autocrlf=true` where `.gitattributes` does
//! not apply) is the same header.
//! `MFA_UPDATE_HEADER=1 cargo test -p mfa-approval --test header` rewrites it.

use std::path::PathBuf;

fn fresh_header() -> Vec<u8> {
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
    fresh
}

/// The same text whatever the line endings (LF or CRLF); every other byte counts.
fn same_lines(a: &[u8], b: &[u8]) -> bool {
    fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
        bytes
            .split(|&c| c == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
    }
    lines(a).eq(lines(b))
}

#[test]
fn committed_header_matches_a_fresh_generation() {
    let fresh = fresh_header();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/mfa_approval.h");
    if std::env::var_os("MFA_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &fresh).expect("write header");
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        same_lines(&committed, &fresh),
        "include/mfa_approval.h is stale: run MFA_UPDATE_HEADER=1 cargo test -p mfa-approval --test header and commit it"
    );
}

#[test]
fn a_crlf_checkout_of_the_header_matches_and_a_changed_one_does_not() {
    let fresh = fresh_header();
    let crlf: Vec<u8> = String::from_utf8(fresh.clone())
        .expect("the header is UTF-8")
        .replace('\n', "\r\n")
        .into_bytes();
    assert_ne!(crlf, fresh, "the copy really has CRLF line endings");
    assert!(same_lines(&crlf, &fresh));
    let mut changed = crlf.clone();
    let at = changed.iter().position(|&c| c == b'(').expect("a function");
    changed.insert(at, b'x');
    assert!(!same_lines(&changed, &fresh));
    let mut longer = fresh.clone();
    longer.extend_from_slice(b"int mfa_extra(void);\n");
    assert!(!same_lines(&longer, &fresh));
    let without_final_newline = fresh.strip_suffix(b"\n").expect("ends with a newline");
    assert!(!same_lines(without_final_newline, &fresh));
}
