//! RADIUS (RFC 2865) as MfaApproval speaks it: an Access-Request with PAP and a
//! Message-Authenticator (RFC 3579) out, a strictly checked Access-Accept, -Reject or
//! -Challenge back; and the server side of the same exchange for the simulator.
//!
//! - [`crypto`]: the User-Password hiding, the Response Authenticator and the
//!   Message-Authenticator (MD5 and HMAC-MD5, as the RFCs define them);
//! - [`packet`]: the one structural reader every datagram goes through (lengths that
//!   lie, truncation, oversize);
//! - [`client`]: the Access-Request writer and the answer reader with every check;
//! - [`server`]: the request reader and the answer writer (the simulator's side).
//!
//! Nothing here decides an approval: the engine does, from the [`client::Answer`] that
//! only a fully verified datagram produces.

pub mod client;
pub mod crypto;
pub mod packet;
pub mod server;

/// The UDP port RADIUS authentication listens on (RFC 2865).
pub const DEFAULT_PORT: u16 = 1812;

/// The smallest RADIUS packet (the header).
pub const MIN_PACKET_BYTES: usize = 20;
/// The largest RADIUS packet (RFC 2865 §3; RFC 7499 allows more only by agreement).
pub const MAX_PACKET_BYTES: usize = 4096;
/// The most bytes a PAP password may have (RFC 2865 §5.2).
pub const MAX_PASSWORD_BYTES: usize = 128;
/// The most bytes of a text attribute's value.
pub const MAX_ATTRIBUTE_VALUE_BYTES: usize = 253;

/// Packet codes.
pub mod code {
    /// Access-Request.
    pub const ACCESS_REQUEST: u8 = 1;
    /// Access-Accept.
    pub const ACCESS_ACCEPT: u8 = 2;
    /// Access-Reject.
    pub const ACCESS_REJECT: u8 = 3;
    /// Access-Challenge.
    pub const ACCESS_CHALLENGE: u8 = 11;
}

/// Attribute types.
pub mod attr {
    /// User-Name (text).
    pub const USER_NAME: u8 = 1;
    /// User-Password (hidden with the shared secret).
    pub const USER_PASSWORD: u8 = 2;
    /// Service-Type (integer).
    pub const SERVICE_TYPE: u8 = 6;
    /// Reply-Message (text; may repeat, the parts are concatenated).
    pub const REPLY_MESSAGE: u8 = 18;
    /// State (opaque; sent back with an answer to a challenge).
    pub const STATE: u8 = 24;
    /// Calling-Station-Id (text).
    pub const CALLING_STATION_ID: u8 = 31;
    /// NAS-Identifier (text).
    pub const NAS_IDENTIFIER: u8 = 32;
    /// Message-Authenticator (RFC 3579: HMAC-MD5 over the packet, 16 bytes).
    pub const MESSAGE_AUTHENTICATOR: u8 = 80;
}

/// Service-Type `Authenticate-Only` (8): the caller needs the decision, no session.
pub const SERVICE_TYPE_AUTHENTICATE_ONLY: u32 = 8;

/// Why a datagram was refused (dropped, never read as an answer). Each reason is
/// counted by the engine and named in its progress text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Shorter than a RADIUS header (20 bytes).
    TooShort,
    /// Longer than 4096 bytes.
    TooLong,
    /// The Length field does not equal the datagram's size.
    LengthMismatch,
    /// An attribute's length field is below 2 or runs past the packet.
    BadAttributeLength,
    /// A code that is not an answer to an Access-Request (or, on the server side, not an
    /// Access-Request).
    UnexpectedCode,
    /// The identifier is not the request's.
    WrongIdentifier,
    /// The Response Authenticator does not verify with the shared secret.
    WrongResponseAuthenticator,
    /// No Message-Authenticator, and the connection requires one.
    MissingMessageAuthenticator,
    /// More than one Message-Authenticator.
    DuplicateMessageAuthenticator,
    /// A Message-Authenticator that does not verify (or is not 16 bytes long).
    WrongMessageAuthenticator,
    /// An attribute the reader needs exactly once is missing or repeated, or malformed
    /// (server side: User-Name, User-Password).
    BadAttribute,
}

impl Refused {
    /// Every reason, in declaration order.
    pub const ALL: &'static [Refused] = &[
        Refused::TooShort,
        Refused::TooLong,
        Refused::LengthMismatch,
        Refused::BadAttributeLength,
        Refused::UnexpectedCode,
        Refused::WrongIdentifier,
        Refused::WrongResponseAuthenticator,
        Refused::MissingMessageAuthenticator,
        Refused::DuplicateMessageAuthenticator,
        Refused::WrongMessageAuthenticator,
        Refused::BadAttribute,
    ];

    /// A short description for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Refused::TooShort => "shorter than a RADIUS header",
            Refused::TooLong => "longer than 4096 bytes",
            Refused::LengthMismatch => "its Length field does not match its size",
            Refused::BadAttributeLength => "an attribute length runs past the packet",
            Refused::UnexpectedCode => "not an Access-Accept, -Reject or -Challenge",
            Refused::WrongIdentifier => "wrong identifier",
            Refused::WrongResponseAuthenticator => "wrong Response Authenticator",
            Refused::MissingMessageAuthenticator => "no Message-Authenticator",
            Refused::DuplicateMessageAuthenticator => "Message-Authenticator given twice",
            Refused::WrongMessageAuthenticator => "wrong Message-Authenticator",
            Refused::BadAttribute => "a required attribute is missing, repeated or malformed",
        }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}
