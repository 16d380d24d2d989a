//! The structural reader every datagram goes through, and the writer of packets: a
//! header, attributes whose lengths must add up exactly, no byte outside the Length
//! field (RFC 2865 lets a receiver ignore padding; no server pads, so padding is refused
//! here rather than read around).

use super::{attr, Refused, MAX_PACKET_BYTES, MIN_PACKET_BYTES};

/// A structurally valid packet: the header and where each attribute's value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The whole datagram.
    pub bytes: &'a [u8],
    /// The code.
    pub code: u8,
    /// The identifier.
    pub identifier: u8,
    /// The authenticator field.
    pub authenticator: [u8; 16],
    /// Each attribute's type and the offset and length of its value in `bytes`.
    pub attributes: Vec<(u8, usize, usize)>,
}

impl<'a> Packet<'a> {
    /// Reads the header and the attribute list, refusing any length that lies.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Refused> {
        if bytes.len() < MIN_PACKET_BYTES {
            return Err(Refused::TooShort);
        }
        if bytes.len() > MAX_PACKET_BYTES {
            return Err(Refused::TooLong);
        }
        let length = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        if length != bytes.len() {
            return Err(Refused::LengthMismatch);
        }
        let mut attributes = Vec::new();
        let mut at = MIN_PACKET_BYTES;
        while at < length {
            if at + 2 > length {
                return Err(Refused::BadAttributeLength);
            }
            let len = usize::from(bytes[at + 1]);
            if len < 2 || at + len > length {
                return Err(Refused::BadAttributeLength);
            }
            attributes.push((bytes[at], at + 2, len - 2));
            at += len;
        }
        Ok(Packet {
            bytes,
            code: bytes[0],
            identifier: bytes[1],
            authenticator: bytes[4..20].try_into().expect("20-byte header"),
            attributes,
        })
    }

    /// The values of every attribute of type `kind`, in order.
    pub fn values(&self, kind: u8) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.attributes
            .iter()
            .filter(move |(k, _, _)| *k == kind)
            .map(|&(_, at, len)| &self.bytes[at..at + len])
    }

    /// The value of the one attribute of type `kind`: `Ok(None)` when absent, an error
    /// when repeated.
    pub fn single(&self, kind: u8) -> Result<Option<&'a [u8]>, Refused> {
        let mut it = self.values(kind);
        let first = it.next();
        if it.next().is_some() {
            return Err(Refused::BadAttribute);
        }
        Ok(first)
    }

    /// Where the one Message-Authenticator's 16-byte value is: `Ok(None)` when absent,
    /// refused when repeated or not 16 bytes long.
    pub fn message_authenticator_at(&self) -> Result<Option<usize>, Refused> {
        let found: Vec<_> = self
            .attributes
            .iter()
            .filter(|(k, _, _)| *k == attr::MESSAGE_AUTHENTICATOR)
            .collect();
        match found.as_slice() {
            [] => Ok(None),
            [(_, at, 16)] => Ok(Some(*at)),
            [_] => Err(Refused::WrongMessageAuthenticator),
            _ => Err(Refused::DuplicateMessageAuthenticator),
        }
    }
}

/// Writes packets: header first, attributes appended, the Length set at the end.
#[derive(Debug, Clone)]
pub struct Writer {
    bytes: Vec<u8>,
}

/// A packet would exceed 4096 bytes, or an attribute value 253.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

impl Writer {
    /// A packet with `code`, `identifier` and `authenticator` in its header.
    pub fn new(code: u8, identifier: u8, authenticator: &[u8; 16]) -> Self {
        let mut bytes = Vec::with_capacity(256);
        bytes.extend_from_slice(&[code, identifier, 0, 0]);
        bytes.extend_from_slice(authenticator);
        Writer { bytes }
    }

    /// Appends an attribute; returns the offset of its value.
    pub fn attribute(&mut self, kind: u8, value: &[u8]) -> Result<usize, TooLarge> {
        if value.len() > super::MAX_ATTRIBUTE_VALUE_BYTES
            || self.bytes.len() + 2 + value.len() > MAX_PACKET_BYTES
        {
            return Err(TooLarge);
        }
        self.bytes.push(kind);
        self.bytes.push((value.len() + 2) as u8);
        let at = self.bytes.len();
        self.bytes.extend_from_slice(value);
        Ok(at)
    }

    /// The packet with its Length field set.
    pub fn finish(mut self) -> Vec<u8> {
        let len = (self.bytes.len() as u16).to_be_bytes();
        self.bytes[2..4].copy_from_slice(&len);
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(attrs: &[u8]) -> Vec<u8> {
        let mut w = Writer::new(2, 9, &[1; 16]).finish();
        w.extend_from_slice(attrs);
        let len = (w.len() as u16).to_be_bytes();
        w[2..4].copy_from_slice(&len);
        w
    }

    #[test]
    fn reads_attributes() {
        let bytes = packet(&[
            18, 5, b'h', b'i', b'!', 80, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        let p = Packet::parse(&bytes).unwrap();
        assert_eq!((p.code, p.identifier), (2, 9));
        assert_eq!(p.values(18).collect::<Vec<_>>(), vec![&b"hi!"[..]]);
        assert_eq!(p.message_authenticator_at().unwrap(), Some(27));
    }

    #[test]
    fn lengths_that_lie_are_refused() {
        assert_eq!(Packet::parse(&[2; 19]), Err(Refused::TooShort));
        assert_eq!(Packet::parse(&vec![0; 4097]), Err(Refused::TooLong));
        // The Length field says more, or less, than the datagram holds.
        let mut short = packet(&[18, 3, b'x']);
        short[3] += 1;
        assert_eq!(Packet::parse(&short), Err(Refused::LengthMismatch));
        let mut padded = packet(&[18, 3, b'x']);
        padded.push(0);
        assert_eq!(Packet::parse(&padded), Err(Refused::LengthMismatch));
        // Attribute lengths below 2, past the end, or a lone type byte.
        for attrs in [&[18u8, 1][..], &[18, 0], &[18, 9, b'x'], &[18, 3, b'x', 18]] {
            assert_eq!(
                Packet::parse(&packet(attrs)),
                Err(Refused::BadAttributeLength),
                "{attrs:?}"
            );
        }
    }

    #[test]
    fn message_authenticators_must_be_one_and_16_bytes() {
        let ma = [80u8, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let twice = packet(&[ma, ma].concat());
        assert_eq!(
            Packet::parse(&twice).unwrap().message_authenticator_at(),
            Err(Refused::DuplicateMessageAuthenticator)
        );
        let short = packet(&[80, 4, 0, 0]);
        assert_eq!(
            Packet::parse(&short).unwrap().message_authenticator_at(),
            Err(Refused::WrongMessageAuthenticator)
        );
    }

    #[test]
    fn the_writer_refuses_oversize() {
        let mut w = Writer::new(1, 1, &[0; 16]);
        assert_eq!(w.attribute(18, &[b'x'; 254]), Err(TooLarge));
        while w.attribute(18, &[b'x'; 253]).is_ok() {}
        assert!(w.finish().len() <= MAX_PACKET_BYTES);
    }
}
