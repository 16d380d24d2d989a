//! Who a name is, as privacyIDEA resolves it: the user's id in its resolver, the resolver
//! and the realm (privacyIDEA's own identity of a person: `alice`, `ALICE` and, with an AD
//! resolver whose login attributes are `sAMAccountName` and `userPrincipalName`,
//! `alice@contoso.com` are one user), and the serials of the person's usable push tokens.
//! Four eyes compares people by [`ResolvedUser::identity`], not by how their names are
//! spelled.
//!
//! Two admin listings, read-only: `GET /user/?username=…&realm=…` (the service account needs
//! the admin right `userlist`) and `GET /token/?user=…&realm=…&type=push` (`tokenlist`). A
//! name with `*` is refused before anything is sent (privacyIDEA searches with `*` as a
//! wildcard); more than one user for a name is refused as ambiguous.

use super::api::CallError;
use super::decide::is_serial;
use crate::json::StrictValue;
use crate::outcome::FailureKind;

/// A name resolved by privacyIDEA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUser {
    /// The login privacyIDEA answered with (its own spelling).
    pub login: String,
    /// The user's id in its resolver (`userid`).
    pub user_id: String,
    /// The resolver (user store) that holds the user.
    pub resolver: String,
    /// The realm.
    pub realm: String,
    /// The serials of the user's active, enrolled, unlocked push tokens.
    pub push_serials: Vec<String>,
}

impl ResolvedUser {
    /// The person, as privacyIDEA knows them: equal for every name that resolves to the
    /// same user (realm, resolver and id; case as privacyIDEA answered).
    pub fn identity(&self) -> String {
        format!(
            "privacyidea:{}/{}/{}",
            self.realm, self.resolver, self.user_id
        )
    }

    /// How the record shows the person (`privacyIDEA user contoso/contoso-users/1001`),
    /// before it is bounded as server text.
    pub fn shown(&self) -> String {
        format!(
            "privacyIDEA user {}/{}/{}",
            self.realm, self.resolver, self.user_id
        )
    }

    /// Four eyes' identity of this user (one key: [`ResolvedUser::identity`]; `shown`, the
    /// bounded display form), holding the user the push goes to.
    pub(crate) fn into_identity(self, shown: String) -> crate::identity::Identity {
        crate::identity::Identity::new()
            .with_key("privacyidea-user", &self.identity(), shown)
            .with_resolved(self)
    }
}

fn protocol(op: &str, why: impl std::fmt::Display) -> CallError {
    CallError::new(FailureKind::Protocol, format!("{op}: {why}"))
}

/// Refuses a name that privacyIDEA would read as a search pattern.
pub fn check_name(name: &str) -> Result<(), CallError> {
    if name.contains('*') || name.trim().is_empty() {
        return Err(CallError::new(
            FailureKind::Protocol,
            "userName: a name with '*' (privacyIDEA's wildcard) or a blank name cannot be resolved",
        ));
    }
    Ok(())
}

/// Reads a `/user/` listing for a name in `realm`: the one user it holds (`None`: none). Its
/// login may be spelled otherwise than the name (an AD resolver finds `alice@contoso.com` by its
/// `userPrincipalName` and answers with its `sAMAccountName`); two users are ambiguous.
pub fn user_of(doc: &StrictValue, realm: &str) -> Result<Option<ResolvedUser>, CallError> {
    let op = "user";
    let result = doc.object_field("result").map_err(|e| protocol(op, e))?;
    let users = match result.get("value") {
        Some(StrictValue::Array(a)) => a,
        _ => return Err(protocol(op, "'result.value' is not a list of users")),
    };
    let mut found = None;
    for u in users {
        if !matches!(u, StrictValue::Object(_)) {
            return Err(protocol(op, "a user is not a JSON object"));
        }
        let login = u.str_field("username").map_err(|e| protocol(op, e))?;
        if found.is_some() {
            return Err(CallError::new(
                FailureKind::Provider,
                "privacyIDEA finds more than one user for this name in the realm (in two resolvers?); refused as ambiguous",
            ));
        }
        let user_id = u.str_field("userid").map_err(|e| protocol(op, e))?;
        let resolver = u.str_field("resolver").map_err(|e| protocol(op, e))?;
        let user_realm = u
            .opt_str("realm")
            .map_err(|e| protocol(op, e))?
            .unwrap_or(realm);
        if user_id.is_empty() || resolver.is_empty() || !user_realm.eq_ignore_ascii_case(realm) {
            return Err(protocol(
                op,
                "a user without an id, a resolver, or in another realm",
            ));
        }
        found = Some(ResolvedUser {
            login: login.to_owned(),
            user_id: user_id.to_owned(),
            resolver: resolver.to_owned(),
            realm: user_realm.to_owned(),
            push_serials: Vec::new(),
        });
    }
    Ok(found)
}

/// Reads a `/token/` listing of `user`: the serials of its usable push tokens (tokens of
/// another user in the listing are refused).
pub fn push_serials_of(doc: &StrictValue, user: &ResolvedUser) -> Result<Vec<String>, CallError> {
    let op = "token";
    let value = doc
        .object_field("result")
        .and_then(|r| r.object_field("value"))
        .map_err(|e| protocol(op, e))?;
    let tokens = match value.get("tokens") {
        Some(StrictValue::Array(a)) => a,
        _ => return Err(protocol(op, "'result.value.tokens' is not a list")),
    };
    let count = value.i64_field("count").map_err(|e| protocol(op, e))?;
    if usize::try_from(count).ok() != Some(tokens.len()) {
        return Err(protocol(
            op,
            "the listing has more tokens than one page (or a wrong count)",
        ));
    }
    let mut serials = Vec::new();
    for t in tokens {
        if !matches!(t, StrictValue::Object(_)) {
            return Err(protocol(op, "a token is not a JSON object"));
        }
        let owner = t.opt_str("user_id").map_err(|e| protocol(op, e))?;
        let resolver = t.opt_str("resolver").map_err(|e| protocol(op, e))?;
        if owner != Some(user.user_id.as_str()) || resolver != Some(user.resolver.as_str()) {
            return Err(protocol(op, "the listing holds a token of another user"));
        }
        let flag = |key: &'static str| match t.get(key) {
            Some(StrictValue::Bool(b)) => Ok(*b),
            _ => Err(protocol(op, format!("'{key}' is not a boolean"))),
        };
        let usable = t.str_field("tokentype").map_err(|e| protocol(op, e))? == "push"
            && flag("active")?
            && !flag("revoked")?
            && !flag("locked")?
            && t.opt_str("rollout_state").map_err(|e| protocol(op, e))? == Some("enrolled");
        if usable {
            let serial = t.str_field("serial").map_err(|e| protocol(op, e))?;
            if !is_serial(serial) {
                return Err(protocol(op, "a serial is not a privacyIDEA serial"));
            }
            serials.push(serial.to_owned());
        }
    }
    serials.sort();
    Ok(serials)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> StrictValue {
        StrictValue::parse(s.as_bytes()).unwrap()
    }

    const ALICE: &str = r#"{"description":"Alice","realm":"contoso","resolver":"contoso-users","userid":"1001","username":"alice"}"#;

    #[test]
    fn a_name_is_the_one_user_privacyidea_resolves() {
        let list = doc(&format!(
            r#"{{"result":{{"status":true,"value":[{ALICE}]}}}}"#
        ));
        let u = user_of(&list, "contoso").unwrap().unwrap();
        assert_eq!(u.identity(), "privacyidea:contoso/contoso-users/1001");
        assert_eq!(u.login, "alice");
        let empty = doc(r#"{"result":{"status":true,"value":[]}}"#);
        assert_eq!(user_of(&empty, "contoso").unwrap(), None);
        let two = doc(&format!(
            r#"{{"result":{{"status":true,"value":[{ALICE},{}]}}}}"#,
            ALICE.replace("contoso-users", "ldap")
        ));
        assert_eq!(
            user_of(&two, "contoso").unwrap_err().kind(),
            FailureKind::Provider
        );
        let elsewhere = doc(&format!(
            r#"{{"result":{{"status":true,"value":[{}]}}}}"#,
            ALICE.replace("\"realm\":\"contoso\"", "\"realm\":\"other\"")
        ));
        assert!(user_of(&elsewhere, "contoso").is_err());
        assert!(check_name("al*").is_err());
        assert!(check_name(" ").is_err());
    }

    #[test]
    fn only_usable_push_tokens_of_the_user_count() {
        let u = ResolvedUser {
            login: "alice".into(),
            user_id: "1001".into(),
            resolver: "contoso-users".into(),
            realm: "contoso".into(),
            push_serials: vec![],
        };
        let token = |serial: &str, extra: &str| {
            format!(
                r#"{{"active":true,"locked":false,"resolver":"contoso-users","revoked":false,"rollout_state":"enrolled","serial":"{serial}","tokentype":"push","user_id":"1001"{extra}}}"#
            )
        };
        let list = |tokens: &[String]| {
            doc(&format!(
                r#"{{"result":{{"status":true,"value":{{"count":{},"tokens":[{}]}}}}}}"#,
                tokens.len(),
                tokens.join(",")
            ))
        };
        let all = [
            token("PIPU2", ""),
            token("PIPU1", ""),
            token("PIPU3", "").replace("\"active\":true", "\"active\":false"),
            token("PIPU4", "").replace("\"revoked\":false", "\"revoked\":true"),
            token("PIPU5", "").replace("\"enrolled\"", "\"clientwait\""),
            token("TOTP1", "").replace("\"push\"", "\"totp\""),
        ];
        assert_eq!(
            push_serials_of(&list(&all), &u).unwrap(),
            ["PIPU1", "PIPU2"]
        );
        let other = [token("PIPU9", "").replace("\"1001\"", "\"1002\"")];
        assert!(push_serials_of(&list(&other), &u).is_err());
        let stringly = [token("PIPU9", "").replace("\"active\":true", "\"active\":\"true\"")];
        assert!(push_serials_of(&list(&stringly), &u).is_err());
        let miscount = doc(r#"{"result":{"status":true,"value":{"count":16,"tokens":[]}}}"#);
        assert!(push_serials_of(&miscount, &u).is_err());
    }
}
