//! The simulator's server certificate: self-signed at start, or loaded from PEM files.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

/// A server identity and its SHA-256 fingerprint.
pub struct Identity {
    /// The certificate chain (end entity first).
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key.
    pub key: PrivateKeyDer<'static>,
    /// SHA-256 of the end-entity certificate, 64 upper-case hex digits.
    pub sha256: String,
    /// The end-entity certificate as PEM.
    pub pem: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Makes a self-signed certificate for `localhost`, `127.0.0.1`, `::1` and `extra` names.
pub fn self_signed(extra: &[String]) -> Result<Identity, String> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    names.extend(extra.iter().cloned());
    let certified = rcgen::generate_simple_self_signed(names).map_err(|e| format!("cannot make a certificate: {e}"))?;
    let der = certified.cert.der().clone();
    Ok(Identity {
        sha256: hex(&Sha256::digest(der.as_ref())),
        pem: certified.cert.pem(),
        chain: vec![der],
        key: PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into()),
    })
}

/// Loads a PEM certificate chain and key.
pub fn from_files(cert: &str, key: &str) -> Result<Identity, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| format!("--cert '{cert}': {e}"))?;
    let first = chain.first().ok_or_else(|| format!("--cert '{cert}' holds no certificate"))?.clone();
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("--key '{key}': {e}"))?;
    let b64 = base64_lines(first.as_ref());
    Ok(Identity { sha256: hex(&Sha256::digest(first.as_ref())), pem: b64, chain, key })
}

fn base64_lines(der: &[u8]) -> String {
    use base64::Engine as _;
    let b = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}
