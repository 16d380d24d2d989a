//! Who an MFA Server user is: the phone numbers `GetUserSettings_3` holds for the name
//! (primary and backup, with extensions). Two names with one number are one person; the
//! record shows each number masked but for its last 4 digits. A user without a phone number
//! cannot be identified (the SDK's settings name no app device), and neither can a user the
//! server does not know.

use super::{error_of, MfaServer};
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
