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
    /// The certificate to trust as a CA file: the throw-away CA that issued a self-signed
    /// identity, or the given end-entity certificate.
    pub pem: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Makes a server certificate for `localhost`, `127.0.0.1`, `::1` and `extra` names,
/// issued by a throw-away CA made at the same time (TLS stacks such as OpenSSL accept a
/// CA as a trust anchor, but not a self-signed end-entity certificate). The CA's key is
/// dropped at once, so nothing else can ever be issued under it.
pub fn self_signed(extra: &[String]) -> Result<Identity, String> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let e = |e: rcgen::Error| format!("cannot make a certificate: {e}");
    let ca_key = KeyPair::generate().map_err(e)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "mfa-sim throw-away CA");
    let ca = ca_params.self_signed(&ca_key).map_err(e)?;
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    names.extend(extra.iter().cloned());
    let key = KeyPair::generate().map_err(e)?;
    let mut params = CertificateParams::new(names).map_err(e)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "mfa-sim");
    let cert = params.signed_by(&key, &ca, &ca_key).map_err(e)?;
    let der = cert.der().clone();
    Ok(Identity {
        sha256: hex(&Sha256::digest(der.as_ref())),
        pem: ca.pem(),
        chain: vec![der, ca.der().clone()],
        key: PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    })
}

/// Loads a PEM certificate chain and key.
pub fn from_files(cert: &str, key: &str) -> Result<Identity, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| format!("--cert '{cert}': {e}"))?;
    let first = chain
        .first()
        .ok_or_else(|| format!("--cert '{cert}' holds no certificate"))?
        .clone();
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("--key '{key}': {e}"))?;
    let b64 = base64_lines(first.as_ref());
    Ok(Identity {
        sha256: hex(&Sha256::digest(first.as_ref())),
        pem: b64,
        chain,
        key,
    })
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
