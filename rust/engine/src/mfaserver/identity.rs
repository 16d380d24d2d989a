//! Who an MFA Server user is: the phone numbers `GetUserSettings_3` holds for the name
//! (primary and backup, with extensions). Two names with one number are one person; the
//! record shows each number masked but for its last 4 digits. A user without a phone number
//! cannot be identified (the SDK's settings name no app device), and neither can a user the
//! server does not know.

use super::decide::error_of;
use super::MfaServer;
use crate::identity::{mask_phone, phone_key, Identity};
use crate::outcome::{FailureKind, Outcome, Status};
use crate::request::Query;
use crate::soap::{self, SoapError};
use crate::xml::Node;

/// Phone keys, each with which phone it is (`phone`, `backup phone`).
pub type Phones = Vec<(String, &'static str)>;

/// The phones of a `GetUserSettings_3` answer that found the user, read strictly (each
/// field at most once, plain text), as keys: primary first, then backup. `Err` for an
/// answer that cannot be read, or a stored number that is not a phone number.
pub fn phones(response: &Node) -> Result<Phones, SoapError> {
    let Some(settings) = soap::field(response, "userSettings")? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (cc, phone, ext, which) in [
        ("CountryCode", "Phone", "Extension", "phone"),
        (
            "BackupCountryCode",
            "BackupPhone",
            "BackupExtension",
            "backup phone",
        ),
    ] {
        let read = |name| soap::text(settings, name).map(Option::unwrap_or_default);
        let key = phone_key(read(cc)?, read(phone)?, read(ext)?)
            .map_err(|why| SoapError::Protocol(format!("userSettings: {why} ({which})")))?;
        if let Some(k) = key {
            if !out.iter().any(|(o, _)| *o == k) {
                out.push((k, which));
            }
        }
    }
    Ok(out)
}

impl MfaServer {
    /// Who `q`'s user is (one `GetUserSettings_3` call): the user's phone numbers.
    pub(super) async fn identify(&self, q: &Query) -> Result<Identity, Outcome> {
        let user = q.user_name.as_deref().unwrap_or_default();
        let mut o = Outcome::new(
            crate::request::Operation::Authenticate.name(),
            super::NAME,
            user,
            self.require_user_match,
        );
        let op = "GetUserSettings_3";
        let response = match self.exchange(op, &[("username", Some(user))], &mut o).await {
            Ok(r) => r,
            Err((status, kind, msg)) => return Err(o.fail(status, kind, msg)),
        };
        let read = || -> Result<(Option<bool>, Phones), SoapError> {
            let found = soap::boolean(&response, &format!("{op}Result"))?;
            let phones = if found == Some(true) {
                phones(&response)?
            } else {
                Vec::new()
            };
            Ok((found, phones))
        };
        let (found, phones) = match read() {
            Ok(v) => v,
            Err(e) => return Err(self.unreadable(o, op, e)),
        };
        if found != Some(true) {
            let why = match error_of(&response, &self.redactor) {
                Ok(Some(e)) => crate::next_step::describe_error(e.code, &e.description),
                _ => "the MFA Server did not find the user".into(),
            };
            let next = if why.contains(crate::next_step::MARKER) {
                String::new()
            } else {
                format!(
                    ". {}pass the user name as the MFA Server stores it (usually the UPN)",
                    crate::next_step::MARKER
                )
            };
            return Err(o.fail(
                Status::Failed,
                FailureKind::Provider,
                format!("{op}: the MFA Server cannot say who this is: {why}{next}"),
            ));
        }
        if phones.is_empty() {
            return Err(o.fail(
                Status::Failed,
                FailureKind::Identity,
                format!("{op}: the MFA Server holds no phone number for this user, so it cannot say who this is; not asked, not an approval (give the user a phone number in the MFA Server)"),
            ));
        }
        let mut id = phones.iter().fold(Identity::new(), |id, (p, which)| {
            id.with_key("phone", p, format!("{which} {}", mask_phone(p)))
        });
        id.http_calls = o.http_calls;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(inner: &str) -> Result<Phones, SoapError> {
        let body = format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetUserSettings_3Response xmlns="http://www.phonefactor.com/PfWsSdk"><GetUserSettings_3Result>true</GetUserSettings_3Result><userSettings>{inner}</userSettings></GetUserSettings_3Response></s:Body></s:Envelope>"#
        );
        // The whole reading path: the strict SOAP reader, then the phones.
        phones(&soap::response(body.as_bytes(), "GetUserSettings_3")?)
    }

    #[test]
    fn the_phones_are_read_as_keys_primary_first() {
        let p = settings(
            "<CountryCode>1</CountryCode><Phone>555-010-0001</Phone><Extension/><BackupCountryCode>44</BackupCountryCode><BackupPhone>20 7946 0000</BackupPhone>",
        )
        .unwrap();
        assert_eq!(
            p,
            [
                ("+15550100001".to_string(), "phone"),
                ("+442079460000".to_string(), "backup phone")
            ]
        );
        // The same number twice is one key; no number is none.
        let p = settings("<CountryCode>1</CountryCode><Phone>5550100001</Phone><BackupCountryCode>1</BackupCountryCode><BackupPhone>(555) 010-0001</BackupPhone>").unwrap();
        assert_eq!(p.len(), 1);
        assert!(settings("<FirstName>x</FirstName>").unwrap().is_empty());
        assert!(settings(
            r#"<Phone xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>"#
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn a_hostile_settings_answer_is_refused_not_read_first_or_last_wins() {
        for bad in [
            // A second Phone: a first-wins reader sees one person, a last-wins reader another.
            "<CountryCode>1</CountryCode><Phone>5550100001</Phone><Phone>5550100002</Phone>",
            "<CountryCode>1</CountryCode><CountryCode>44</CountryCode><Phone>5550100001</Phone>",
            // Markup or text that is not a number.
            "<Phone>555<b/>0100001</Phone>",
            "<Phone>call me</Phone>",
            "<Phone>5550100001</Phone><Extension>12;34</Extension>",
            "<CountryCode>+1+1</CountryCode><Phone>5550100001</Phone>",
        ] {
            assert!(settings(bad).is_err(), "{bad}");
        }
    }
}
