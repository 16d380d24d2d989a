//! The RADIUS cryptography, exactly as the RFCs define it (MD5 and HMAC-MD5 are what the
//! protocol uses; they are not chosen here): PAP User-Password hiding (RFC 2865 §5.2), the
//! Response Authenticator (RFC 2865 §3) and the Message-Authenticator (RFC 3579 §3.2).

use super::{MAX_PASSWORD_BYTES, MIN_PACKET_BYTES};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use zeroize::Zeroizing;

type HmacMd5 = Hmac<Md5>;

/// A password too long for PAP (more than 128 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordTooLong;

/// Hides a PAP password (RFC 2865 §5.2): padded with zeros to a multiple of 16 bytes
/// (16 for an empty one), each block XORed with MD5(secret + the previous block), the
/// first with MD5(secret + Request Authenticator).
pub fn hide_password(
    password: &[u8],
    secret: &[u8],
    request_authenticator: &[u8; 16],
) -> Result<Vec<u8>, PasswordTooLong> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordTooLong);
    }
    let padded_len = password.len().div_ceil(16).max(1) * 16;
    let mut out = Zeroizing::new(vec![0u8; padded_len]);
    out[..password.len()].copy_from_slice(password);
    let mut previous: [u8; 16] = *request_authenticator;
    for block in out.chunks_mut(16) {
        let mask = Md5::new()
            .chain_update(secret)
            .chain_update(previous)
            .finalize();
        for (b, m) in block.iter_mut().zip(mask.iter()) {
            *b ^= m;
        }
        previous.copy_from_slice(block);
    }
    Ok(out.to_vec())
}

/// Reveals a hidden PAP password (the server side), trailing zero padding removed.
/// `None` when the hidden value is not 16..=128 bytes in whole blocks.
pub fn reveal_password(
    hidden: &[u8],
    secret: &[u8],
    request_authenticator: &[u8; 16],
) -> Option<Zeroizing<Vec<u8>>> {
    if hidden.is_empty() || !hidden.len().is_multiple_of(16) || hidden.len() > MAX_PASSWORD_BYTES {
        return None;
    }
    let mut out = Zeroizing::new(hidden.to_vec());
    let mut previous: [u8; 16] = *request_authenticator;
    for (block, cipher) in out.chunks_mut(16).zip(hidden.chunks(16)) {
        let mask = Md5::new()
            .chain_update(secret)
            .chain_update(previous)
            .finalize();
        for (b, m) in block.iter_mut().zip(mask.iter()) {
            *b ^= m;
        }
        previous.copy_from_slice(cipher);
    }
    while out.last() == Some(&0) {
        out.pop();
    }
    Some(out)
}

/// The Response Authenticator of an answer (RFC 2865 §3): MD5 over the answer with the
/// request's authenticator in its authenticator field, then the secret.
pub fn response_authenticator(
    answer: &[u8],
    request_authenticator: &[u8; 16],
    secret: &[u8],
) -> [u8; 16] {
    debug_assert!(answer.len() >= MIN_PACKET_BYTES);
    Md5::new()
        .chain_update(&answer[..4])
        .chain_update(request_authenticator)
        .chain_update(&answer[MIN_PACKET_BYTES..])
        .chain_update(secret)
        .finalize()
        .into()
}

/// The Message-Authenticator (RFC 3579 §3.2): HMAC-MD5 keyed with the secret over the
/// packet with `authenticator` in its authenticator field (the request's own, or for an
/// answer the request's) and the Message-Authenticator's value (16 bytes at
/// `value_at`) as zeros.
pub fn message_authenticator(
    packet: &[u8],
    authenticator: &[u8; 16],
    value_at: usize,
    secret: &[u8],
) -> [u8; 16] {
    let mut mac = HmacMd5::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(&packet[..4]);
    mac.update(authenticator);
    mac.update(&packet[MIN_PACKET_BYTES..value_at]);
    mac.update(&[0u8; 16]);
    mac.update(&packet[value_at + 16..]);
    mac.finalize().into_bytes().into()
}

/// Compares two byte strings in time that depends on their length only.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    const SECRET: &[u8] = b"xyzzy5461";

    /// RFC 2865 §7.1: user nemo, password "arctangent", secret "xyzzy5461".
    #[test]
    fn rfc2865_example_password_and_response_authenticator() {
        let request = hex("01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
             98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
             93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8
             01 10 05 06 00 00 00 03");
        let ra: [u8; 16] = request[4..20].try_into().unwrap();
        let hidden = hide_password(b"arctangent", SECRET, &ra).unwrap();
        assert_eq!(hidden, request[28..44]);
        let shown = reveal_password(&hidden, SECRET, &ra).unwrap();
        assert_eq!(shown.as_slice(), b"arctangent");

        let answer = hex("02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
             9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
             0e 06 c0 a8 01 03");
        assert_eq!(response_authenticator(&answer, &ra, SECRET), answer[4..20]);
        assert_ne!(
            response_authenticator(&answer, &ra, b"xyzzy5462"),
            answer[4..20]
        );
    }

    #[test]
    fn long_and_empty_passwords_round_trip_and_129_bytes_are_refused() {
        let ra = [7u8; 16];
        for pw in [&b""[..], b"a", &[b'x'; 16], &[b'y'; 17], &[b'z'; 128]] {
            let hidden = hide_password(pw, SECRET, &ra).unwrap();
            assert_eq!(hidden.len(), pw.len().div_ceil(16).max(1) * 16);
            assert_eq!(
                reveal_password(&hidden, SECRET, &ra).unwrap().as_slice(),
                pw
            );
        }
        assert_eq!(hide_password(&[1; 129], SECRET, &ra), Err(PasswordTooLong));
        assert!(reveal_password(&[0; 15], SECRET, &ra).is_none());
        assert!(reveal_password(&[0; 144], SECRET, &ra).is_none());
    }

    /// RFC 2104 test case 2 (HMAC-MD5), through the same construction.
    #[test]
    fn hmac_md5_is_rfc2104() {
        let mut mac = HmacMd5::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            mac.finalize().into_bytes().as_slice(),
            hex("750c783e6ab0b503eaa86e310a5db738")
        );
    }

    #[test]
    fn same_compares_whole_strings() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
