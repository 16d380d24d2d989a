//! privacyIDEA's wire format as the simulator writes it: answers serialised exactly as
//! privacyIDEA's `json.dumps(content, sort_keys=True)` (members sorted, `", "` and `": "`
//! separators, non-ASCII as `\uXXXX`), signed like its `sign_response` (RSASSA-PSS SHA-256
//! over that text, `rsa_sha256_pss:<hex>`) with a demo key, form parameters read like
//! Werkzeug's, and the service account's token shaped as privacyIDEA's JWT.

use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PSS_SHA256};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivatePkcs8KeyDer;
use serde_json::Value;

/// The simulator's response signing key (PKCS#8 PEM). **Demo only**, like the demo caller:
/// it is public, so it proves nothing outside the simulator.
pub const DEMO_SIGNING_KEY: &str = concat!(
    "-----BEGIN PRIVATE KEY-----\n",
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDWNtT4iiVtGLYL\n",
    "zvUaM91/7JYUvIxAvyeZMiAB0NRQSRGSxZ+xBlrVUIzQUqrzMxMfkKEjjqFMM1bg\n",
    "xxXZ3fusf+wbqqz0UfI87sau5bWR0B65mKQKLum058PYUqmky9Um/Cqa8yYnoxWj\n",
    "6jTrvjBOWWZe3NQ9O5PpsMSBh/t0cgwIwKf+Tv9itNkQwY2ovMCxV7Cpxwk2cMQT\n",
    "OxJnjxWcuU+dlLX7YsX0TsCEQQzML4oBkfaWQQs/HpJ0UNMv6HeFPjT3AHdA4AsH\n",
    "7fLAubc0FNy2k4nu6S53aUckSxqfxrc8fHvfmXauJkoKc5jh+7yfharmvCd8vOsA\n",
    "q4CqsPINAgMBAAECggEAH1sNV4gZLFv2ocncdMZswMHnwgdLXFret/zvVHS17z6S\n",
    "1PIaivYMK7dLtV60aT7rqK4p+CNzlszZBbP+jdKBeWGMNQyJnoW0OJkW+hjjuAFH\n",
    "zhD6ygbN7M4UC8El1dqES92TevTme9zSWRj6QBupxH4vjukyI/hpkUZvrSozc3rN\n",
    "kBFS5L8CQSV2PYGKDwHQI5EmNgxAeXJKHviVccNpnwCSgnnqPFRrtWA+ZGW8WBTA\n",
    "oWFInMX8E0IxvXDUllEacmDRQZr3Hq3RERhKGbV7QMW2UkxoEDwXd+m5rAgD4BIG\n",
    "JT00spN1CREpF7cqSR6Fi2+BWWBOF4fUWZQytZ514QKBgQDy2tJ7RDslivkFBGyo\n",
    "UbmKAdoaOcEtdCWbJDrIZ5XEEazpQVtf7bq3CFT1GPTVSMy6DfzonI4dZQz/rf/b\n",
    "dk7HQMy1+ly44gzjgdVDjh/vIdC/2nSi2TwGmRggmd2UGcck6UDQVLuqLcdGPs0z\n",
    "5l+43Pj80ohTYywRXs0BiXPd1QKBgQDhzyTviKF5ZRkBha3n3ElXQlYtm/Zrf5x7\n",
    "66WEug9gsJc1GKuIpMoHWS05lsrt8ciuUsz2VHgd7wloTNNooUwr8de9hyJ7vqE0\n",
    "amMAANedQpGiKCFLdfSutppVwUazHRkNEwRTIxtLRfMy2LFPHov1Z2pCuUrEHogS\n",
    "1iHzkPgHWQKBgBE5Q8RKSoeXG6Indi1Z3nbTOsyxW+oFWsVuBF1CO3T0a/b/E6Py\n",
    "EFP620umwXZ++0YWx+EXeVzMVeesR4EhGuU2y038u6bBIXjhNGbeJZWoKE3zCGKk\n",
    "VYWCRhvJzdU7HsyXXmloGQcwx/lLavJLXG6X/XCw3cpMNkvlFVUOkpEhAoGBALkK\n",
    "r8De3TwGncRCkK1FNpCcGtTLTtbuvwRJqdynP/zDGVX4fnC+YZQ9/rKHoIn2rbY0\n",
    "wiNGOxyEitf+xOuj6jDEwT9d4uM25xF18OTKy+Xh7EfOzOHyqm0V1Elb1hznRmUR\n",
    "ZWTfivlXPCE5s6sbZCPY+Bnvj5ZBUs7kzPO0o5wZAoGBAJtQ9dj/Z8RMm/8BlXQy\n",
    "Tug7hU3eYMJ3GGTRbKaZ5aB48ZBv+VGvTx8ho5xBOTnrmZwqc9CCVulfaPzvIx/2\n",
    "d6xW/QhUHvW3V5IWKQgomGk9IVa7zxbaGfhJOJ21G4JMCbH+e/e2n1JPjK0QY3An\n",
    "ok9wqIwJoseb4dPFHFMaDBjP\n",
    "-----END PRIVATE KEY-----\n",
);

/// Its public half, what an admin gives the engine as `responseSigningKeyFile` (what a real
/// server's `PI_AUDIT_KEY_PUBLIC` holds).
pub const DEMO_SIGNING_PUBLIC_KEY: &str = concat!(
    "-----BEGIN PUBLIC KEY-----\n",
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1jbU+IolbRi2C871GjPd\n",
    "f+yWFLyMQL8nmTIgAdDUUEkRksWfsQZa1VCM0FKq8zMTH5ChI46hTDNW4McV2d37\n",
    "rH/sG6qs9FHyPO7GruW1kdAeuZikCi7ptOfD2FKppMvVJvwqmvMmJ6MVo+o0674w\n",
    "TllmXtzUPTuT6bDEgYf7dHIMCMCn/k7/YrTZEMGNqLzAsVewqccJNnDEEzsSZ48V\n",
    "nLlPnZS1+2LF9E7AhEEMzC+KAZH2lkELPx6SdFDTL+h3hT409wB3QOALB+3ywLm3\n",
    "NBTctpOJ7ukud2lHJEsan8a3PHx735l2riZKCnOY4fu8n4Wq5rwnfLzrAKuAqrDy\n",
    "DQIDAQAB\n",
    "-----END PUBLIC KEY-----\n",
);

/// A signer for answers.
pub struct Signer {
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl Signer {
    /// The demo key's signer.
    pub fn demo() -> Self {
        let der = PrivatePkcs8KeyDer::from_pem_slice(DEMO_SIGNING_KEY.as_bytes())
            .expect("the demo key is PEM");
        Self {
            key: RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).expect("the demo key is RSA"),
            rng: SystemRandom::new(),
        }
    }

    /// The public key as ring reads it (PKCS#1 RSAPublicKey DER), for benchmarks that
    /// compare a verifier with ring's.
    pub fn public_key_der(&self) -> Vec<u8> {
        self.key.public().as_ref().to_vec()
    }

    /// `rsa_sha256_pss:<hex>` over `text`. ring's salt is 32 bytes where privacyIDEA's is the
    /// longest; a verifier reads the salt length from the signature, so both verify.
    pub fn sign(&self, text: &[u8]) -> String {
        let mut sig = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PSS_SHA256, &self.rng, text, &mut sig)
            .expect("signing with the demo key");
        let hex: String = sig.iter().map(|b| format!("{b:02x}")).collect();
        format!("rsa_sha256_pss:{hex}")
    }
}

/// `value` as Python's `json.dumps(value, sort_keys=True)` writes it.
pub fn py_json(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (None, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&py_float(f)),
            _ => out.push_str("null"),
        },
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // serde_json's map is ordered by key (no preserve_order): code point order, as
            // Python sorts str keys.
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                string(k, out);
                out.push_str(": ");
                write(v, out);
            }
            out.push('}');
        }
    }
}

/// Python's `repr` of a float in the range answers use (Unix times): the shortest digits
/// that read back, with `.0` for a whole number.
fn py_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7f => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A form (`a=1&b=2`, a query or an `application/x-www-form-urlencoded` body) as Werkzeug
/// reads it: `+` is a space, `%XX` a byte. `None`: a broken escape, invalid UTF-8 or a
/// parameter given twice (refused here, where privacyIDEA would take the first).
pub fn form(text: &str) -> Option<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k)?, decode(v)?);
        if out.iter().any(|(seen, _)| *seen == k) {
            return None;
        }
        out.push((k, v));
    }
    Some(out)
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_written_as_python_writes_them() {
        let v = json!({"z": [1, 2.5, null], "a": {"é": "\u{2028}\"\\\n", "b": true}, "t": 1796635842.335714, "w": 3.0});
        assert_eq!(
            py_json(&v),
            r#"{"a": {"b": true, "\u00e9": "\u2028\"\\\n"}, "t": 1796635842.335714, "w": 3.0, "z": [1, 2.5, null]}"#
        );
        assert_eq!(py_json(&json!({})), "{}");
        assert_eq!(py_json(&json!([])), "[]");
        assert_eq!(
            py_json(&json!("\u{1f600}\u{7f}")),
            "\"\\ud83d\\ude00\u{7f}\""
        );
    }

    #[test]
    fn forms_decode_like_werkzeug_and_refuse_repeats() {
        assert_eq!(
            form("user=a+b%40c&pass=&x").unwrap(),
            [
                ("user".into(), "a b@c".into()),
                ("pass".into(), String::new()),
                ("x".into(), String::new())
            ]
        );
        assert!(form("a=1&a=2").is_none());
        assert!(form("a=%zz").is_none());
        assert!(form("a=%ff").is_none());
    }
}
