//! The client side: the Access-Request writer and the answer reader. An answer is read
//! only when every check passes, in this order: structure, code, identifier, Response
//! Authenticator, Message-Authenticator (exactly one, verified; required unless the
//! caller allows its absence). Anything else is [`Refused`] and must be dropped.

use super::crypto::{
    hide_password, message_authenticator, response_authenticator, same, PasswordTooLong,
};
use super::packet::{Packet, TooLarge, Writer};
use super::{attr, code, Refused};

/// What an Access-Request carries.
#[derive(Debug, Clone, Copy)]
pub struct AccessRequest<'a> {
    /// The identifier (random per request).
    pub identifier: u8,
    /// The Request Authenticator (16 bytes from a CSPRNG).
    pub authenticator: [u8; 16],
    /// User-Name.
    pub user_name: &'a str,
    /// The PAP password (empty for servers that push without one).
    pub password: &'a [u8],
    /// NAS-Identifier.
    pub nas_identifier: &'a str,
    /// Service-Type, when sent.
    pub service_type: Option<u32>,
    /// Calling-Station-Id (the caller's context), when sent.
    pub calling_station_id: Option<&'a str>,
}

/// Why a request could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// A value is empty or longer than 253 bytes (or the packet past 4096).
    TooLarge,
    /// The password is longer than 128 bytes.
    PasswordTooLong,
}

impl From<TooLarge> for EncodeError {
    fn from(_: TooLarge) -> Self {
        EncodeError::TooLarge
    }
}

impl From<PasswordTooLong> for EncodeError {
    fn from(_: PasswordTooLong) -> Self {
        EncodeError::PasswordTooLong
    }
}

/// Writes an Access-Request: the Message-Authenticator first (as the Blast-RADIUS
/// advisories recommend), then User-Name, the hidden User-Password, NAS-Identifier,
/// Service-Type and Calling-Station-Id.
pub fn encode_access_request(
    request: &AccessRequest<'_>,
    secret: &[u8],
) -> Result<Vec<u8>, EncodeError> {
    if request.user_name.is_empty() {
        return Err(EncodeError::TooLarge);
    }
    let mut w = Writer::new(
        code::ACCESS_REQUEST,
        request.identifier,
        &request.authenticator,
    );
    let ma_at = w.attribute(attr::MESSAGE_AUTHENTICATOR, &[0; 16])?;
    w.attribute(attr::USER_NAME, request.user_name.as_bytes())?;
    let hidden = hide_password(request.password, secret, &request.authenticator)?;
    w.attribute(attr::USER_PASSWORD, &hidden)?;
    if !request.nas_identifier.is_empty() {
        w.attribute(attr::NAS_IDENTIFIER, request.nas_identifier.as_bytes())?;
    }
    if let Some(t) = request.service_type {
        w.attribute(attr::SERVICE_TYPE, &t.to_be_bytes())?;
    }
    if let Some(c) = request.calling_station_id.filter(|c| !c.is_empty()) {
        w.attribute(attr::CALLING_STATION_ID, c.as_bytes())?;
    }
    let mut bytes = w.finish();
    let mac = message_authenticator(&bytes, &request.authenticator, ma_at, secret);
    bytes[ma_at..ma_at + 16].copy_from_slice(&mac);
    Ok(bytes)
}

/// The three answers to an Access-Request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerCode {
    /// Access-Accept.
    Accept,
    /// Access-Reject.
    Reject,
    /// Access-Challenge.
    Challenge,
}

/// A verified answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Accept, Reject or Challenge.
    pub code: AnswerCode,
    /// The Reply-Message parts concatenated, whole (the packet bounds them: at most 4096
    /// bytes), as raw bytes: server text that the engine redacts before it decodes,
    /// cleans or cuts it (this crate knows no secrets, so it cuts nothing).
    pub reply_message: Vec<u8>,
    /// The answer carried a verified Message-Authenticator (`false` only when the caller
    /// allowed its absence).
    pub message_authenticator: bool,
}

/// Reads `datagram` as the answer to the request with `identifier` and
/// `request_authenticator`, or says why it must be dropped.
pub fn read_answer(
    datagram: &[u8],
    identifier: u8,
    request_authenticator: &[u8; 16],
    secret: &[u8],
    require_message_authenticator: bool,
) -> Result<Answer, Refused> {
    let p = Packet::parse(datagram)?;
    let code = match p.code {
        code::ACCESS_ACCEPT => AnswerCode::Accept,
        code::ACCESS_REJECT => AnswerCode::Reject,
        code::ACCESS_CHALLENGE => AnswerCode::Challenge,
        _ => return Err(Refused::UnexpectedCode),
    };
    if p.identifier != identifier {
        return Err(Refused::WrongIdentifier);
    }
    let expected = response_authenticator(datagram, request_authenticator, secret);
    if !same(&expected, &p.authenticator) {
        return Err(Refused::WrongResponseAuthenticator);
    }
    let message_authenticator = match p.message_authenticator_at()? {
        Some(at) => {
            let mac = message_authenticator(datagram, request_authenticator, at, secret);
            if !same(&mac, &datagram[at..at + 16]) {
                return Err(Refused::WrongMessageAuthenticator);
            }
            true
        }
        None if require_message_authenticator => return Err(Refused::MissingMessageAuthenticator),
        None => false,
    };
    let mut reply_message = Vec::new();
    for part in p.values(attr::REPLY_MESSAGE) {
        reply_message.extend_from_slice(part);
    }
    Ok(Answer {
        code,
        reply_message,
        message_authenticator,
    })
}

#[cfg(test)]
mod tests {
    use super::super::server::{encode_answer, read_request, MessageAuthenticator};
    use super::*;

    const SECRET: &[u8] = b"s3cret-shared";

    fn request() -> AccessRequest<'static> {
        AccessRequest {
            identifier: 42,
            authenticator: [0xA5; 16],
            user_name: "alice@contoso.com",
            password: b"",
            nas_identifier: "MfaApproval",
            service_type: Some(super::super::SERVICE_TYPE_AUTHENTICATE_ONLY),
            calling_station_id: Some("192.0.2.7"),
        }
    }

    fn answer(code: u8, reply: &[u8], ma: MessageAuthenticator, secret: &[u8]) -> Vec<u8> {
        let attrs: Vec<(u8, &[u8])> = if reply.is_empty() {
            vec![]
        } else {
            vec![(attr::REPLY_MESSAGE, reply)]
        };
        encode_answer(code, 42, &[0xA5; 16], &attrs, secret, ma).unwrap()
    }

    #[test]
    fn the_request_round_trips_through_the_server_reader() {
        let bytes = encode_access_request(&request(), SECRET).unwrap();
        assert_eq!(bytes[20], attr::MESSAGE_AUTHENTICATOR, "first attribute");
        let r = read_request(&bytes, SECRET, true).unwrap();
        assert_eq!(r.user_name, "alice@contoso.com");
        assert_eq!(r.password.as_slice(), b"");
        assert_eq!(r.nas_identifier.as_deref(), Some("MfaApproval"));
        assert_eq!(r.calling_station_id.as_deref(), Some("192.0.2.7"));
        assert!(r.message_authenticator);
        // The wrong secret fails the request's Message-Authenticator.
        assert_eq!(
            read_request(&bytes, b"other", true).unwrap_err(),
            Refused::WrongMessageAuthenticator
        );
    }

    #[test]
    fn a_verified_accept_is_read() {
        let bytes = answer(
            code::ACCESS_ACCEPT,
            b"ok",
            MessageAuthenticator::Correct,
            SECRET,
        );
        let a = read_answer(&bytes, 42, &[0xA5; 16], SECRET, true).unwrap();
        assert_eq!(a.code, AnswerCode::Accept);
        assert_eq!(a.reply_message, b"ok");
        assert!(a.message_authenticator);
    }

    #[test]
    fn every_forgery_is_refused() {
        let ok = answer(
            code::ACCESS_ACCEPT,
            b"",
            MessageAuthenticator::Correct,
            SECRET,
        );
        let read = |b: &[u8]| read_answer(b, 42, &[0xA5; 16], SECRET, true);
        assert_eq!(
            read_answer(&ok, 43, &[0xA5; 16], SECRET, true),
            Err(Refused::WrongIdentifier)
        );
        assert_eq!(
            read_answer(&ok, 42, &[0xA6; 16], SECRET, true),
            Err(Refused::WrongResponseAuthenticator)
        );
        let wrong_secret = answer(
            code::ACCESS_ACCEPT,
            b"",
            MessageAuthenticator::Correct,
            b"guess",
        );
        assert_eq!(
            read(&wrong_secret),
            Err(Refused::WrongResponseAuthenticator)
        );
        let missing = answer(code::ACCESS_ACCEPT, b"", MessageAuthenticator::Omit, SECRET);
        assert_eq!(read(&missing), Err(Refused::MissingMessageAuthenticator));
        assert!(read_answer(&missing, 42, &[0xA5; 16], SECRET, false)
            .is_ok_and(|a| !a.message_authenticator));
        let wrong_ma = answer(
            code::ACCESS_ACCEPT,
            b"",
            MessageAuthenticator::Wrong,
            SECRET,
        );
        assert_eq!(read(&wrong_ma), Err(Refused::WrongMessageAuthenticator));
        // Even when its absence is allowed, a wrong one is refused.
        assert_eq!(
            read_answer(&wrong_ma, 42, &[0xA5; 16], SECRET, false),
            Err(Refused::WrongMessageAuthenticator)
        );
        let twice = answer(
            code::ACCESS_ACCEPT,
            b"",
            MessageAuthenticator::Twice,
            SECRET,
        );
        assert_eq!(read(&twice), Err(Refused::DuplicateMessageAuthenticator));
        // An Access-Request (or any other code) echoed back is not an answer.
        let echoed = encode_access_request(&request(), SECRET).unwrap();
        assert_eq!(read(&echoed), Err(Refused::UnexpectedCode));
        // Truncated: every prefix is refused.
        for n in 0..ok.len() {
            assert!(read(&ok[..n]).is_err(), "prefix {n}");
        }
        // One flipped bit anywhere is refused.
        for i in 0..ok.len() {
            let mut b = ok.clone();
            b[i] ^= 1;
            assert!(read(&b).is_err(), "bit flipped at {i}");
        }
    }

    #[test]
    fn reply_messages_are_concatenated_whole() {
        let long = [b'x'; 250];
        let attrs: Vec<(u8, &[u8])> = (0..10).map(|_| (attr::REPLY_MESSAGE, &long[..])).collect();
        let bytes = encode_answer(
            code::ACCESS_CHALLENGE,
            42,
            &[0xA5; 16],
            &attrs,
            SECRET,
            MessageAuthenticator::Correct,
        )
        .unwrap();
        let a = read_answer(&bytes, 42, &[0xA5; 16], SECRET, true).unwrap();
        assert_eq!(a.code, AnswerCode::Challenge);
        // Nothing is cut here (a cut before redaction would keep a prefix of a secret).
        assert_eq!(a.reply_message, [b'x'; 2500]);
    }

    #[test]
    fn oversized_values_are_refused_when_writing() {
        let long = "u".repeat(254);
        let mut r = request();
        r.user_name = &long;
        assert_eq!(
            encode_access_request(&r, SECRET),
            Err(EncodeError::TooLarge)
        );
        let mut r = request();
        r.user_name = "";
        assert_eq!(
            encode_access_request(&r, SECRET),
            Err(EncodeError::TooLarge)
        );
        let mut r = request();
        let pw = [b'p'; 129];
        r.password = &pw;
        assert_eq!(
            encode_access_request(&r, SECRET),
            Err(EncodeError::PasswordTooLong)
        );
    }
}

/// Seeded random edits of genuine answers (a fuzzer's moves without the fuzzer, so it runs
/// in every test): flips, truncations, insertions, deletions, rewritten length fields. No
/// edited datagram is ever read as an answer, and none panics the reader.
#[cfg(test)]
mod mutations {
    use super::super::server::{encode_answer, MessageAuthenticator};
    use super::*;

    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    #[test]
    fn no_edit_of_a_genuine_answer_is_read() {
        const SECRET: &[u8] = b"mutation-secret";
        let auth = [0x3C; 16];
        let reply = [b'r'; 40];
        let genuine: Vec<Vec<u8>> = [
            code::ACCESS_ACCEPT,
            code::ACCESS_REJECT,
            code::ACCESS_CHALLENGE,
        ]
        .iter()
        .map(|&c| {
            let attrs: [(u8, &[u8]); 2] = [(attr::REPLY_MESSAGE, &reply), (attr::STATE, b"st")];
            encode_answer(c, 7, &auth, &attrs, SECRET, MessageAuthenticator::Correct).unwrap()
        })
        .collect();
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..60_000 {
            let original = &genuine[round % genuine.len()];
            let mut b = original.clone();
            for _ in 0..1 + rng.below(3) {
                match rng.below(6) {
                    0 => {
                        let i = rng.below(b.len());
                        if let Some(x) = b.get_mut(i) {
                            *x ^= 1 << rng.below(8);
                        }
                    }
                    1 => b.truncate(rng.below(b.len())),
                    2 => {
                        let i = rng.below(b.len() + 1);
                        b.insert(i.min(b.len()), rng.next() as u8);
                    }
                    3 if !b.is_empty() => {
                        let i = rng.below(b.len());
                        b.remove(i);
                    }
                    4 if b.len() >= 4 => {
                        // A length field that agrees with the datagram after the edit.
                        let n = (b.len() as u16).to_be_bytes();
                        b[2..4].copy_from_slice(&n);
                    }
                    _ => b.extend(std::iter::repeat_n(rng.next() as u8, rng.below(5000))),
                }
            }
            for require in [true, false] {
                let read = read_answer(&b, 7, &auth, SECRET, require);
                if read.is_ok() {
                    assert_eq!(&b, original, "an edited answer was read (round {round})");
                }
            }
        }
    }
}
