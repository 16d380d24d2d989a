//! The server side (the simulator's): the Access-Request reader and the answer writer,
//! with the faults the simulator can inject into the Message-Authenticator.

use super::crypto::{message_authenticator, response_authenticator, reveal_password, same};
use super::packet::{Packet, TooLarge, Writer};
use super::{attr, code, Refused};
use zeroize::Zeroizing;

/// A verified Access-Request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The identifier.
    pub identifier: u8,
    /// The Request Authenticator.
    pub authenticator: [u8; 16],
    /// User-Name (lossy UTF-8).
    pub user_name: String,
    /// The revealed PAP password (empty when none was sent).
    pub password: Zeroizing<Vec<u8>>,
    /// NAS-Identifier, when sent.
    pub nas_identifier: Option<String>,
    /// Calling-Station-Id, when sent.
    pub calling_station_id: Option<String>,
    /// The request carried a verified Message-Authenticator.
    pub message_authenticator: bool,
}

fn text(value: Option<&[u8]>) -> Option<String> {
    value.map(|v| String::from_utf8_lossy(v).into_owned())
}

/// Reads an Access-Request: one User-Name, at most one User-Password, a verified
/// Message-Authenticator (required when `require_message_authenticator`).
pub fn read_request(
    datagram: &[u8],
    secret: &[u8],
    require_message_authenticator: bool,
) -> Result<Request, Refused> {
    let p = Packet::parse(datagram)?;
    if p.code != code::ACCESS_REQUEST {
        return Err(Refused::UnexpectedCode);
    }
    let message_authenticator = match p.message_authenticator_at()? {
        Some(at) => {
            let mac = message_authenticator(datagram, &p.authenticator, at, secret);
            if !same(&mac, &datagram[at..at + 16]) {
                return Err(Refused::WrongMessageAuthenticator);
            }
            true
        }
        None if require_message_authenticator => return Err(Refused::MissingMessageAuthenticator),
        None => false,
    };
    let user_name = text(p.single(attr::USER_NAME)?).ok_or(Refused::BadAttribute)?;
    let password = match p.single(attr::USER_PASSWORD)? {
        Some(hidden) => {
            reveal_password(hidden, secret, &p.authenticator).ok_or(Refused::BadAttribute)?
        }
        None => Zeroizing::new(Vec::new()),
    };
    Ok(Request {
        identifier: p.identifier,
        authenticator: p.authenticator,
        user_name,
        password,
        nas_identifier: text(p.single(attr::NAS_IDENTIFIER)?),
        calling_station_id: text(p.single(attr::CALLING_STATION_ID)?),
        message_authenticator,
    })
}

/// What the answer's Message-Authenticator is (the simulator's faults besides `Correct`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageAuthenticator {
    /// One, first, correct.
    Correct,
    /// None at all.
    Omit,
    /// One with a wrong value (the Response Authenticator still right).
    Wrong,
    /// Two correct-looking ones.
    Twice,
}

/// Writes an answer (`code`) to the request `identifier`/`request_authenticator`, with
/// `attributes` after the Message-Authenticator, signed with `secret`.
pub fn encode_answer(
    code: u8,
    identifier: u8,
    request_authenticator: &[u8; 16],
    attributes: &[(u8, &[u8])],
    secret: &[u8],
    ma: MessageAuthenticator,
) -> Result<Vec<u8>, TooLarge> {
    let mut w = Writer::new(code, identifier, request_authenticator);
    let ma_at = match ma {
        MessageAuthenticator::Omit => None,
        _ => Some(w.attribute(attr::MESSAGE_AUTHENTICATOR, &[0; 16])?),
    };
    let second = match ma {
        MessageAuthenticator::Twice => Some(w.attribute(attr::MESSAGE_AUTHENTICATOR, &[0; 16])?),
        _ => None,
    };
    for (kind, value) in attributes {
        w.attribute(*kind, value)?;
    }
    let mut bytes = w.finish();
    if let Some(at) = ma_at {
        let mut mac = message_authenticator(&bytes, request_authenticator, at, secret);
        if ma == MessageAuthenticator::Wrong {
            mac[0] ^= 0xFF;
        }
        bytes[at..at + 16].copy_from_slice(&mac);
        if let Some(second) = second {
            bytes[second..second + 16].copy_from_slice(&mac);
        }
    }
    let auth = response_authenticator(&bytes, request_authenticator, secret);
    bytes[4..20].copy_from_slice(&auth);
    Ok(bytes)
}
