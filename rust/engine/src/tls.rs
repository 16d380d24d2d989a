//! TLS for the transport: system roots plus an optional CA bundle, optional SHA-256
//! pinning of the server certificate, and optional client certificates (PEM or PKCS#12).
//! Certificate verification is never switched off.

use crate::check::{parse_fingerprint, ConfigError};
use crate::config::{ClientConfig, Secrets};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The handshake error when no pin matched: carried inside rustls'
/// `CertificateError::Other` and found again by type along the error's `source()` chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server presented a certificate whose SHA-256 is {presented}, but -ServerCertificateHash (serverCertificateSha256) expects {}", expected.join(" or "))]
pub struct PinMismatch {
    /// The SHA-256 of the certificate the server presented (64 hex digits).
    pub presented: String,
    /// The configured pins (64 upper-case hex digits each).
    pub expected: Vec<String>,
}

/// A TLS failure as one sentence, by its type (rustls' own text shows some causes in
/// Rust debug notation, such as `Other(OtherError(...))`).
pub fn describe(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    use rustls::Error as E;
    let cert = |why: &str| format!("the server's certificate {why}");
    match e {
        E::InvalidCertificate(c) => match c {
            C::Other(other) => match other.0.downcast_ref::<PinMismatch>() {
                Some(pin) => pin.to_string(),
                None => cert("was refused"),
            },
            C::UnknownIssuer => cert("was issued by a certificate authority this machine does not trust (or the server does not send its intermediate certificates)"),
            C::NotValidForNameContext { expected, presented } => {
                let names = if presented.is_empty() { "no names".to_string() } else { presented.join(", ") };
                cert(&format!("is not valid for the name '{}' (it holds {names})", expected.to_str()))
            }
            C::NotValidForName => cert("is not valid for the server's name"),
            C::Expired | C::ExpiredContext { .. } => cert("has expired"),
            C::NotValidYet | C::NotValidYetContext { .. } => cert("is not valid yet (check this machine's clock)"),
            C::Revoked => cert("has been revoked"),
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => cert("is not meant for server authentication"),
            C::BadEncoding | C::BadSignature => cert("is malformed or wrongly signed"),
            _ => cert("was refused"),
        },
        E::NoCertificatesPresented => "the server sent no certificate".into(),
        E::PeerIncompatible(_) => "the server offers no TLS version or cipher suite this client accepts (TLS 1.2 or 1.3)".into(),
        E::AlertReceived(alert) => {
            let code = u8::from(*alert);
            let what = match code {
                40 => " (handshake failure: no common protocol or cipher suite)",
                42..=46 => " (the server refused this client's certificate)",
                48 => " (the server does not trust this client's certificate's issuer)",
                70 => " (protocol version: the server wants another TLS version)",
                116 => " (the server requires a client certificate: -ClientCertificateFile)",
                _ => "",
            };
            format!("the server ended the TLS handshake with alert {code}{what}")
        }
        _ => "the TLS handshake failed (the server broke the protocol, or something in between is not a TLS server)".into(),
    }
}

/// The SHA-256 fingerprint of a DER certificate, as 64 upper-case hex digits.
pub fn fingerprint_hex(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn fingerprint_of_digest(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02X}")).collect()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Accepts exactly the end-entity certificates whose SHA-256 is pinned, and still checks
/// the handshake signatures with that certificate's key.
#[derive(Debug)]
struct PinnedVerifier {
    pins: Vec<[u8; 32]>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let digest: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if self.pins.contains(&digest) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Other(rustls::OtherError(Arc::new(PinMismatch {
                    presented: fingerprint_hex(end_entity),
                    expected: self.pins.iter().map(fingerprint_of_digest).collect(),
                }))),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A certificate or key file's bytes, without the UTF-8 byte order mark Notepad or Windows
/// PowerShell 5.1 may put before a PEM file (the PEM reader would skip the first BEGIN line
/// and report no block). A PKCS#12 file starts with 0x30, never with a mark. The mark is
/// removed in place, so the key material stays in the buffer that is zeroized.
/// Read through the engine's one bounded reader (regular files only, at most 1 MiB).
fn read_file(field: &str, path: &str) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
    let give = match field {
        "clientKeyFile" => "the client's PEM private key file",
        "clientCertificateFile" => "the client certificate as a PEM or PKCS#12 (.pfx) file",
        _ => "a PEM file of the CA certificates that issued the server's certificate",
    };
    let mut bytes =
        crate::file::read_bounded(field, path, crate::file::MAX_CERTIFICATE_FILE_BYTES, give)?;
    let mark = bytes.len() - mfa_protocol::text::without_utf8_bom(&bytes).len();
    bytes.drain(..mark);
    Ok(bytes)
}

fn pem_certs(
    field: &str,
    path: &str,
    bytes: &[u8],
) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| ConfigError::new(field, format!("'{path}' is not a valid PEM file: {e}")))?;
    if certs.is_empty() {
        return Err(ConfigError::new(
            field,
            format!("'{path}' holds no PEM CERTIFICATE block"),
        ));
    }
    Ok(certs)
}

/// The trust anchors: the system's roots plus `caCertificateFile`.
fn roots(config: &ClientConfig) -> Result<RootCertStore, ConfigError> {
    roots_with("caCertificateFile", config.ca_certificate_file.as_deref())
}

/// The system's roots plus the CA file named by `field`.
fn roots_with(field: &str, ca_file: Option<&str>) -> Result<RootCertStore, ConfigError> {
    let mut store = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    store.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
        let bytes = read_file(field, path)?;
        for cert in pem_certs(field, path, &bytes)? {
            store.add(cert).map_err(|e| {
                ConfigError::new(
                    field,
                    format!("'{path}' holds an unusable CA certificate: {e}"),
                )
            })?;
        }
    }
    if store.is_empty() {
        return Err(ConfigError::new(
            field,
            "no trusted root certificates: the system has none (install ca-certificates) and no CA file or pin was given",
        ));
    }
    Ok(store)
}

/// The client certificate chain and key, from PEM or PKCS#12.
fn client_identity(
    config: &ClientConfig,
    secrets: &Secrets,
) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>, ConfigError> {
    let Some(path) = &config.client_certificate_file else {
        return Ok(None);
    };
    const FIELD: &str = "clientCertificateFile";
    let bytes = read_file(FIELD, path)?;
    let is_pem = bytes
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(10)
        .eq(b"-----BEGIN".iter());
    if is_pem {
        let certs = pem_certs(FIELD, path, &bytes)?;
        let (key_field, key_path, key_bytes) = match &config.client_key_file {
            Some(k) => ("clientKeyFile", k.as_str(), read_file("clientKeyFile", k)?),
            None => (FIELD, path.as_str(), bytes.clone()),
        };
        let key = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|_| {
            ConfigError::new(
                key_field,
                format!(
                    "'{key_path}' holds no unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1)"
                ),
            )
        })?;
        return Ok(Some((certs, key)));
    }
    let password = secrets
        .client_certificate_password
        .as_ref()
        .map_or("", |p| p.as_str());
    let store = p12_keystore::KeyStore::from_pkcs12(
        &bytes,
        password,
        p12_keystore::Pkcs12ImportPolicy::Strict,
    )
    .map_err(|e| {
        let why = match e {
            p12_keystore::error::Error::MacError(_) => {
                "wrong password (the PKCS#12 MAC does not verify)".to_string()
            }
            other => format!("is not a readable PKCS#12 file: {other}"),
        };
        ConfigError::new(FIELD, format!("'{path}': {why}"))
    })?;
    let (_, chain) = store.private_key_chain().ok_or_else(|| {
        ConfigError::new(
            FIELD,
            format!("'{path}' holds no private key with a certificate"),
        )
    })?;
    let certs = chain
        .certs()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect::<Vec<_>>();
    let key = PrivateKeyDer::try_from(chain.key().as_der().to_vec()).map_err(|e| {
        ConfigError::new(
            FIELD,
            format!("'{path}' holds an unusable private key: {e}"),
        )
    })?;
    Ok(Some((certs, key)))
}

/// Builds the rustls client configuration for `config`.
pub fn client_config(
    config: &ClientConfig,
    secrets: &Secrets,
) -> Result<rustls::ClientConfig, ConfigError> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::new("tls", e.to_string()))?;
    let builder = if config.server_certificate_sha256.is_empty() {
        builder.with_root_certificates(roots(config)?)
    } else {
        let pins = config
            .server_certificate_sha256
            .iter()
            .enumerate()
            .map(|(i, p)| parse_fingerprint(&format!("serverCertificateSha256[{i}]"), p))
            .collect::<Result<Vec<_>, _>>()?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedVerifier { pins, provider }))
    };
    let mut tls = match client_identity(config, secrets)? {
        Some((certs, key)) => builder.with_client_auth_cert(certs, key).map_err(|e| {
            ConfigError::new(
                "clientCertificateFile",
                format!("certificate and key do not form a usable identity: {e}"),
            )
        })?,
        None => builder.with_no_client_auth(),
    };
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

/// The TLS configuration for a `tls://` syslog server (RFC 5425): pinned certificates
/// (`syslogCertificateSha256`, replacing chain and name checks, handshake signatures still
/// verified) or the system roots plus `syslogCaCertificateFile`; no client certificate.
pub fn syslog_client_config(
    pins: &[String],
    ca_file: Option<&str>,
) -> Result<rustls::ClientConfig, ConfigError> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::new("tls", e.to_string()))?;
    let builder = if pins.is_empty() {
        builder.with_root_certificates(roots_with("syslogCaCertificateFile", ca_file)?)
    } else {
        let pins = pins
            .iter()
            .enumerate()
            .map(|(i, p)| parse_fingerprint(&format!("syslogCertificateSha256[{i}]"), p))
            .collect::<Result<Vec<_>, _>>()?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedVerifier { pins, provider }))
    };
    Ok(builder.with_no_client_auth())
}
