//! privacyIDEA's signed answers: with the server's response signing key pinned
//! (`responseSigningKeyFile`), an answer whose signature is missing, malformed or wrong is
//! never read, so a proxy or a TLS-terminating box between the engine and privacyIDEA cannot
//! forge an ACCEPT.
//!
//! What privacyIDEA 3.14 signs (`privacyidea/api/lib/postpolicy.py`, `sign_response`, run
//! after every request): the answer's JSON object `content` (with the request's `nonce`
//! parameter added as `nonce`, when the request had one) is serialised with
//! `json.dumps(content, sort_keys=True)` and signed with the audit key
//! (`PI_AUDIT_KEY_PRIVATE`) by `privacyidea/lib/crypto.py` `Sign.sign`: RSASSA-PSS, SHA-256,
//! MGF1-SHA-256, the longest salt (`PSS.MAX_LENGTH`), written as `rsa_sha256_pss:<hex>`. The
//! body sent is `json.dumps` of the same object with `signature` added. Members of a
//! `json.dumps` object are independent of each other, so the signed text is the body with
//! the top-level `"signature": "…"` member and one `", "` separator cut out. That is what
//! [`signed_text`] does, on the bytes as received: it never re-serialises (Python's float and
//! escape spellings would have to be copied exactly). A body in any other layout (another
//! separator, white space, an escaped key, two `signature` members) cannot be reproduced and
//! is refused.
//!
//! `ring` verifies RSA-PSS only with a salt as long as the digest (32 bytes), and
//! privacyIDEA's salt is the longest possible (222 bytes for a 2048-bit key), so the check
//! is RustCrypto's `rsa` crate (RSASSA-PSS-VERIFY, RFC 8017 section 8.1.2), verification only,
//! with the salt length recovered from the encoded message as EMSA-PSS-VERIFY allows (its
//! "auto" salt length): privacyIDEA's longest salt and the simulator's 32-byte one (`ring`
//! signs it) both verify, and any other change to the signature or the text does not. Only
//! public values take part. Keys of 2048 to 8192 bits with an odd exponent from 3 to 2^32 are
//! accepted. It is tested against the real privacyIDEA's signatures, against `ring`'s (a
//! 32-byte salt) and against tampering.

use rsa::pkcs1::ALGORITHM_OID;
use rsa::pkcs8::der::Decode;
use rsa::pkcs8::SubjectPublicKeyInfoRef;
use rsa::pss;
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use rsa::BoxedUint;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::SubjectPublicKeyInfoDer;

/// The prefix of a signature (`Sign.sig_ver`).
pub const SCHEME: &str = "rsa_sha256_pss:";

/// An RSA public key that checks privacyIDEA's signatures.
#[derive(Clone)]
pub struct SigningKey {
    key: pss::VerifyingKey<rsa::sha2::Sha256>,
    bits: usize,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("bits", &self.bits)
            .finish()
    }
}

/// Why an answer's signature was refused (never quotes the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No top-level `signature` member.
    #[error("the answer is not signed (no 'signature'), and the response signing key is pinned")]
    Missing,
    /// The body is not laid out as `json.dumps(..., sort_keys=True)` writes it.
    #[error(
        "the signed text cannot be reproduced from the answer (not the layout privacyIDEA signs)"
    )]
    Layout,
    /// Not `rsa_sha256_pss:<hex>` of the key's length.
    #[error("the signature is not an RSA-PSS SHA-256 signature of the pinned key's size")]
    Format,
    /// The signature does not verify with the pinned key.
    #[error("the signature does not verify with the pinned response signing key")]
    Invalid,
}

impl SigningKey {
    /// Reads a PEM public key (`-----BEGIN PUBLIC KEY-----`, what privacyIDEA writes to
    /// `PI_AUDIT_KEY_PUBLIC`). The error says what is wrong, never the file's text.
    pub fn from_pem(pem: &[u8]) -> Result<Self, String> {
        let der = SubjectPublicKeyInfoDer::from_pem_slice(pem).map_err(|_| {
            "holds no PEM public key (-----BEGIN PUBLIC KEY-----); give the file named by PI_AUDIT_KEY_PUBLIC in the server's pi.cfg".to_string()
        })?;
        Self::from_spki_der(der.as_ref())
    }

    /// Reads a DER SubjectPublicKeyInfo holding an RSA key (DER: one encoding, nothing after).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, String> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| "is not a valid public key (SubjectPublicKeyInfo)".to_string())?;
        if spki.algorithm.oid != ALGORITHM_OID {
            return Err("is not an RSA public key (privacyIDEA signs with RSA)".into());
        }
        let key = rsa::PublicKey::try_from(spki)
            .map_err(|_| "is not a valid RSA public key (RSAPublicKey)".to_string())?;
        Self::from_components(&key.n_bytes(), &key.e_bytes())
    }

    /// A key from its big-endian modulus and exponent.
    pub fn from_components(modulus: &[u8], exponent: &[u8]) -> Result<Self, String> {
        let modulus = strip_zeros(modulus);
        let bits = bit_length(modulus);
        if !(2048..=8192).contains(&bits) {
            return Err(format!(
                "is a {bits}-bit RSA key; 2048 to 8192 bits are accepted"
            ));
        }
        let exponent = strip_zeros(exponent);
        let e = (exponent.len() <= 8).then(|| {
            exponent
                .iter()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
        });
        let Some(e) = e.filter(|e| (3..=1u64 << 32).contains(e) && e % 2 == 1) else {
            return Err(
                "has an RSA public exponent that is not an odd number from 3 to 2^32".into(),
            );
        };
        let key = rsa::PublicKey::new_with_size_limits(
            BoxedUint::from_be_slice_vartime(modulus),
            BoxedUint::from(e),
            2048..=8192,
        )
        .map_err(|_| "is not a valid RSA public key (modulus and exponent)".to_string())?;
        Ok(Self {
            key: pss::VerifyingKey::new_with_auto_salt_len(key),
            bits,
        })
    }

    /// Checks an RSASSA-PSS (SHA-256, MGF1-SHA-256, any salt length) signature of `message`.
    pub fn verify_pss(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        if signature.len() != self.bits.div_ceil(8) {
            return Err(SignatureError::Format);
        }
        let signature = pss::Signature::try_from(signature).map_err(|_| SignatureError::Format)?;
        self.key
            .verify(message, &signature)
            .map_err(|_| SignatureError::Invalid)
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// The bit length of a big-endian number without leading zero bytes.
fn bit_length(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(&top) => (bytes.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}

/// A body's signed text and its signature's bytes: the body without the top-level
/// `"signature": "rsa_sha256_pss:<hex>"` member and one `", "` beside it.
pub fn signed_text(body: &[u8]) -> Result<(Vec<u8>, Vec<u8>), SignatureError> {
    let members = top_level_members(body).ok_or(SignatureError::Layout)?;
    let mut found = None;
    for (i, m) in members.iter().enumerate() {
        let key = &body[m.key.0..m.key.1];
        if key == b"\"signature\"" {
            if found.is_some() {
                return Err(SignatureError::Layout);
            }
            found = Some(i);
        } else if key.contains(&b'\\') {
            // An escaped key could spell "signature": json.dumps never escapes ASCII keys.
            let decoded: Result<String, _> = serde_json::from_slice(key);
            if decoded.map_or(true, |k| k == "signature") {
                return Err(SignatureError::Layout);
            }
        }
    }
    let i = found.ok_or(SignatureError::Missing)?;
    let m = &members[i];
    // `": "` between key and value, the value a plain string without escapes.
    if &body[m.key.1..m.value.0] != b": " {
        return Err(SignatureError::Layout);
    }
    let value = &body[m.value.0..m.value.1];
    if value.len() < 2 || value[0] != b'"' || value[value.len() - 1] != b'"' {
        return Err(SignatureError::Format);
    }
    let text =
        std::str::from_utf8(&value[1..value.len() - 1]).map_err(|_| SignatureError::Format)?;
    let hex = text.strip_prefix(SCHEME).ok_or(SignatureError::Format)?;
    // Lower-case hex, as Python's hexlify writes it: one spelling per signature.
    if hex.is_empty()
        || hex.len() % 2 != 0
        || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(SignatureError::Format);
    }
    let signature: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|j| u8::from_str_radix(&hex[j..j + 2], 16).unwrap_or(0))
        .collect();
    let (cut_from, cut_to) = if i > 0 {
        let from = m.key.0 - 2;
        if &body[from..m.key.0] != b", " {
            return Err(SignatureError::Layout);
        }
        (from, m.value.1)
    } else if members.len() > 1 {
        let to = m.value.1 + 2;
        if body.get(m.value.1..to) != Some(b", ") {
            return Err(SignatureError::Layout);
        }
        (m.key.0, to)
    } else {
        (m.key.0, m.value.1)
    };
    let mut signed = Vec::with_capacity(body.len());
    signed.extend_from_slice(&body[..cut_from]);
    signed.extend_from_slice(&body[cut_to..]);
    Ok((signed, signature))
}

/// Checks `body`'s signature with `key`.
pub fn verify(key: &SigningKey, body: &[u8]) -> Result<(), SignatureError> {
    let (signed, signature) = signed_text(body)?;
    key.verify_pss(&signed, &signature)
}

/// Byte ranges of one top-level member: the key (quotes included) and the value.
struct Member {
    key: (usize, usize),
    value: (usize, usize),
}

/// The members of the top-level object of `body`, which must start with `{` and end with
/// `}` (no white space around, as `json.dumps` writes it). Values are skipped by a small
/// scanner (strings with their escapes, nesting); the body has already been read by the
/// strict parser, so this only has to find where each member lies. `None`: not laid out
/// as a single object.
fn top_level_members(body: &[u8]) -> Option<Vec<Member>> {
    if body.len() < 2 || body[0] != b'{' || body[body.len() - 1] != b'}' {
        return None;
    }
    let end = body.len() - 1;
    let mut members = Vec::new();
    let mut i = 1;
    if i == end {
        return Some(members);
    }
    loop {
        // Separator before every member but the first: exactly ", ".
        if !members.is_empty() {
            if body.get(i..i + 2)? != b", " {
                return None;
            }
            i += 2;
        }
        if body.get(i) != Some(&b'"') {
            return None;
        }
        let key_start = i;
        i = skip_string(body, i)?;
        let key = (key_start, i);
        if body.get(i..i + 2)? != b": " {
            return None;
        }
        i += 2;
        let value_start = i;
        i = skip_value(body, i, end)?;
        members.push(Member {
            key,
            value: (value_start, i),
        });
        if i == end {
            return Some(members);
        }
    }
}

/// The index after the string that starts at `i` (a `"`).
fn skip_string(body: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < body.len() {
        match body[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The index after the value that starts at `i`, stopping at `", "` or `end` at depth 0.
fn skip_value(body: &[u8], mut i: usize, end: usize) -> Option<usize> {
    let mut open = Vec::new();
    while i < end {
        match body[i] {
            b'"' => {
                i = skip_string(body, i)?;
                continue;
            }
            b'{' => open.push(b'}'),
            b'[' => open.push(b']'),
            // The guard pops: a closing bracket must close the innermost open one.
            c @ (b'}' | b']') if open.pop() != Some(c) => return None,
            b',' if open.is_empty() => break,
            _ => {}
        }
        i += 1;
    }
    (open.is_empty() && i <= end).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_text_is_the_body_without_its_signature_member() {
        let body = br#"{"id": 2, "result": {"a": ", \"signature\": 1"}, "signature": "rsa_sha256_pss:0a0b", "time": 1.5}"#;
        let (signed, sig) = signed_text(body).unwrap();
        assert_eq!(
            signed,
            br#"{"id": 2, "result": {"a": ", \"signature\": 1"}, "time": 1.5}"#
        );
        assert_eq!(sig, [0x0a, 0x0b]);
        let first = br#"{"signature": "rsa_sha256_pss:00", "z": [1, {"k": "}"}]}"#;
        assert_eq!(signed_text(first).unwrap().0, br#"{"z": [1, {"k": "}"}]}"#);
        let alone = br#"{"signature": "rsa_sha256_pss:00"}"#;
        assert_eq!(signed_text(alone).unwrap().0, b"{}");
    }

    #[test]
    fn bodies_that_cannot_be_reproduced_are_refused() {
        for (body, why) in [
            (&br#"{"id": 2}"#[..], SignatureError::Missing),
            (
                br#"{"result": {"signature": "rsa_sha256_pss:00"}}"#,
                SignatureError::Missing,
            ),
            (
                br#"{"id":2, "signature": "rsa_sha256_pss:00"}"#,
                SignatureError::Layout,
            ),
            (
                br#"{"id": 2,"signature": "rsa_sha256_pss:00"}"#,
                SignatureError::Layout,
            ),
            (
                br#" {"id": 2, "signature": "rsa_sha256_pss:00"}"#,
                SignatureError::Layout,
            ),
            (
                br#"{"id": 2, "signature": "rsa_sha256_pss:00"}
"#,
                SignatureError::Layout,
            ),
            (
                br#"{"id": 2, "signature":"rsa_sha256_pss:00"}"#,
                SignatureError::Layout,
            ),
            (
                br#"{"id": 2, "signatur\u0065": "rsa_sha256_pss:00"}"#,
                SignatureError::Layout,
            ),
            (
                br#"{"signature": "rsa_sha256_pss:00", "signature": "rsa_sha256_pss:00"}"#,
                SignatureError::Layout,
            ),
            (
                br#"{"id": 2, "signature": "rsa_sha256:00"}"#,
                SignatureError::Format,
            ),
            (
                br#"{"id": 2, "signature": "rsa_sha256_pss:0g"}"#,
                SignatureError::Format,
            ),
            (
                br#"{"id": 2, "signature": "rsa_sha256_pss:0A"}"#,
                SignatureError::Format,
            ),
            (
                br#"{"id": 2, "signature": "rsa_sha256_pss:000"}"#,
                SignatureError::Format,
            ),
            (
                br#"{"id": 2, "signature": "rsa_sha256_pss:"}"#,
                SignatureError::Format,
            ),
            (br#"{"id": 2, "signature": 12}"#, SignatureError::Format),
            (
                br#"{"id": 2, "signature": "rsa_sha256_pss:\u0030\u0030"}"#,
                SignatureError::Format,
            ),
            (
                br#"{"id": [1, 2}, "signature": "rsa_sha256_pss:00"}"#,
                SignatureError::Layout,
            ),
            (
                br#"{"id": "2, "signature": "rsa_sha256_pss:00"}"#,
                SignatureError::Layout,
            ),
            (
                br#"[{"signature": "rsa_sha256_pss:00"}]"#,
                SignatureError::Layout,
            ),
        ] {
            assert_eq!(
                signed_text(body).map(|_| ()),
                Err(why),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    /// An answer signed by a real privacyIDEA 3.14 (the longest salt), recorded with
    /// tests/python/privacyidea_server.py, with that server's public key.
    #[test]
    fn a_recorded_privacyidea_signature_verifies_and_a_changed_one_does_not() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
        let key =
            SigningKey::from_pem(&std::fs::read(data.join("privacyidea-signing-key.pem")).unwrap())
                .unwrap();
        let body = std::fs::read(data.join("privacyidea-signed-answer.json")).unwrap();
        verify(&key, &body).expect("privacyIDEA's own signature");
        let text = String::from_utf8(body.clone()).unwrap();
        for (from, to) in [
            ("REJECT", "ACCEPT"),
            ("\"value\": false", "\"value\": true"),
            ("wrong otp pin", "wrong otp pim"),
        ] {
            let changed = text.replacen(from, to, 1);
            assert_eq!(
                verify(&key, changed.as_bytes()),
                Err(SignatureError::Invalid),
                "{from}"
            );
        }
        let (signed, mut sig) = signed_text(&body).unwrap();
        assert!(key.verify_pss(&signed, &sig).is_ok());
        sig[10] ^= 1;
        assert_eq!(key.verify_pss(&signed, &sig), Err(SignatureError::Invalid));
        assert_eq!(
            key.verify_pss(&signed, &sig[1..]),
            Err(SignatureError::Format)
        );
    }

    /// ring signs with a 32-byte salt (the simulator does): the salt length is read from
    /// the signature, so both verify.
    #[test]
    fn a_short_salt_from_ring_verifies_too() {
        let signer = mfa_sim::privacyidea::wire::Signer::demo();
        let key =
            SigningKey::from_pem(mfa_sim::privacyidea::wire::DEMO_SIGNING_PUBLIC_KEY.as_bytes())
                .unwrap();
        let sig = signer.sign(b"the signed text");
        let hex = sig.strip_prefix(SCHEME).unwrap();
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        assert!(key.verify_pss(b"the signed text", &bytes).is_ok());
        assert_eq!(
            key.verify_pss(b"the signed texT", &bytes),
            Err(SignatureError::Invalid)
        );
        let other = SigningKey::from_pem(
            &std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../tests/data/privacyidea-signing-key.pem"),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            other.verify_pss(b"the signed text", &bytes),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn only_one_der_rsa_public_key_is_read() {
        let pem = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/data/privacyidea-signing-key.pem"),
        )
        .unwrap();
        let der = SubjectPublicKeyInfoDer::from_pem_slice(&pem).unwrap();
        let key = SigningKey::from_spki_der(der.as_ref()).unwrap();
        assert_eq!(key.bits, 2048);
        let mut trailing = der.as_ref().to_vec();
        trailing.push(0);
        assert!(SigningKey::from_spki_der(&trailing)
            .unwrap_err()
            .contains("not a valid public key"));
        let ec = rcgen::KeyPair::generate().unwrap();
        assert!(SigningKey::from_spki_der(&ec.public_key_der())
            .unwrap_err()
            .contains("not an RSA public key"));
        assert!(SigningKey::from_spki_der(b"").is_err());
    }

    #[test]
    fn small_keys_and_odd_exponents_are_refused() {
        let n1024 = [0xffu8; 128];
        assert!(SigningKey::from_components(&n1024, &[1, 0, 1])
            .unwrap_err()
            .contains("1024-bit"));
        let n2048 = [0xffu8; 256];
        assert!(SigningKey::from_components(&n2048, &[1, 0, 1]).is_ok());
        for e in [&[1u8][..], &[2], &[1, 0, 0], &[1, 0, 0, 0, 0, 1]] {
            assert!(SigningKey::from_components(&n2048, e).is_err(), "{e:?}");
        }
        assert!(SigningKey::from_pem(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        )
        .is_err());
    }
}
