//! The provider interface: every MFA back end (MFA Server, Duo) answers a
//! validated [`Query`] with an [`Outcome`], never with an error: failures are outcomes
//! too, and none of them is an approval.
//!
//! A provider that can say who a name is ([`Provider::resolves_identity`]) resolves every
//! approver and excluded name before any push ([`Provider::resolve`]), and then pushes to
//! exactly what it resolved ([`Provider::approve`]); see [`crate::identity`]. A provider
//! that can withdraw a push withdraws it when the approval stops waiting for it
//! ([`crate::withdraw`]).

use crate::check::ConfigError;
use crate::config::{ClientConfig, Secrets};
use crate::identity::Identity;
use crate::outcome::Outcome;
use crate::progress::Progress;
use crate::redact::Redactor;
use crate::registry::types::ProviderSpec;
use crate::request::Query;
use crate::withdraw::WithdrawSlot;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed, sendable future (object-safe async for providers).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Builds a provider from a checked configuration and its secrets.
pub type Build =
    fn(&ClientConfig, &Secrets, Arc<Redactor>) -> Result<Arc<dyn Provider>, ConfigError>;

/// How one provider is checked and built: the functions beside its description
/// ([`ProviderSpec`], plain data), in its folder's `build.rs`, listed by
/// `crate::registry::build` above the providers.
pub struct Constructor {
    /// The description it builds.
    pub spec: &'static ProviderSpec,
    /// Checks its part of a configuration (after the common and HTTP checks).
    pub validate: fn(&ClientConfig, &Secrets) -> Result<(), ConfigError>,
    /// Secrets [`ClientConfig::validate_fields`] assumes the host will give.
    pub assume: fn(&ClientConfig, &mut Secrets),
    /// Builds it.
    pub build: Build,
}

/// An MFA provider.
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// The provider's name in outcomes (`mfaserver`, `duo`).
    fn name(&self) -> &'static str;

    /// What a cancelled request's outcome says (a provider adds what cancelling means there).
    fn cancelled_message(&self) -> &'static str {
        "cancelled by the caller before an answer; not an approval"
    }

    /// Runs one query or approval to its end, reporting what it is doing to `progress`.
    /// Timing fields are filled by the caller.
    fn run<'a>(&'a self, query: &'a Query, progress: &'a Progress) -> BoxFuture<'a, Outcome>;

    /// Whether this provider can say who a name is ([`Provider::resolve`]). A provider that
    /// cannot takes requests with several approvers or excluded names only when the
    /// connection allows names alone (`allowNameOnlyIdentity`).
    fn resolves_identity(&self) -> bool {
        false
    }

    /// Who `query.user_name` is, as this provider resolves it, before any push: the
    /// identity, or a non-approving outcome for that name saying why it could not be
    /// identified (unknown, no device, a lookup that failed or was refused) and what name
    /// to pass instead. Only called when [`Provider::resolves_identity`] says so.
    fn resolve<'a>(
        &'a self,
        query: &'a Query,
        _progress: &'a Progress,
    ) -> BoxFuture<'a, Result<Identity, Box<Outcome>>> {
        Box::pin(async move {
            Err(Box::new(
                Outcome::new(
                    query.operation.name(),
                    self.name(),
                    query.user_name.as_deref().unwrap_or_default(),
                    true,
                )
                .fail(
                    crate::outcome::Status::Failed,
                    crate::outcome::FailureKind::Internal,
                    "this provider cannot tell who a name is; not an approval",
                ),
            ))
        })
    }

    /// Runs one approver's push to its end: `identity` is what the approver was resolved to
    /// before ([`Provider::resolve`], a four-eyes request): push to exactly that (no second
    /// lookup that could answer differently); `None`: look the name up as [`Provider::run`]
    /// does. A provider that can withdraw a push arms `withdraw` once the push is out,
    /// disarms it when its own decision ended the push, and reports the withdraw it sends
    /// when it stops waiting before that (also when its run is dropped). The default runs
    /// [`Provider::run`]: it pushes by name alone and cannot withdraw (the slot stays
    /// unarmed: `pushWithdrawn` null).
    fn approve<'a>(
        &'a self,
        query: &'a Query,
        identity: Option<&'a Identity>,
        progress: &'a Progress,
        withdraw: &'a WithdrawSlot,
    ) -> BoxFuture<'a, Outcome> {
        let _ = (identity, withdraw);
        self.run(query, progress)
    }
}

/// The start of a provider's [`Provider::approve`]: the person `identity` says the approver
/// was resolved to before any push (a four-eyes request), as the type `T` the provider
/// `provider` (its registered name) resolves names to; `Ok(None)`: no identity (the approver
/// is looked up by name). An identity of any other type was not resolved by this provider:
/// the engine's internal error, an outcome that ends `Failed` (nothing was sent, not an
/// approval), as the provider's own outcome for `query`.
pub(crate) fn resolved_as<'i, T: Any + Send + Sync>(
    provider: &'static str,
    query: &Query,
    identity: Option<&'i Identity>,
) -> Result<Option<&'i T>, Box<Outcome>> {
    let Some(identity) = identity else {
        return Ok(None);
    };
    match identity.resolved_as::<T>() {
        Some(resolved) => Ok(Some(resolved)),
        None => {
            let display = crate::registry::find(provider).map_or(provider, |p| p.display);
            Err(Box::new(
                Outcome::new(
                    query.operation.name(),
                    provider,
                    query.user_name.as_deref().unwrap_or_default(),
                    true,
                )
                .fail(
                    crate::outcome::Status::Failed,
                    crate::outcome::FailureKind::Internal,
                    format!("internal error: the identity was not resolved by {display}; nothing was sent, not an approval"),
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{FailureKind, Status};

    struct Mine(u32);
    struct Other;

    fn query() -> Query {
        Query::from_json(br#"{"userName":"alice@contoso.com"}"#).unwrap()
    }

    #[test]
    fn an_identity_of_the_providers_type_is_used_and_none_is_none() {
        let identity = Identity::new()
            .with_key("user", "u1", "alice")
            .with_resolved(Mine(7));
        let got = resolved_as::<Mine>("okta", &query(), Some(&identity)).unwrap();
        assert_eq!(got.map(|m| m.0), Some(7));
        assert!(resolved_as::<Mine>("okta", &query(), None)
            .unwrap()
            .is_none());
    }

    /// An identity another provider resolved (or one that resolved nothing) never reaches a
    /// push: the approver's outcome is Failed, Internal, and no approval.
    #[test]
    fn an_identity_of_another_type_is_an_internal_error_and_no_approval() {
        let other = Identity::new()
            .with_key("user", "u1", "alice")
            .with_resolved(Other);
        let bare = Identity::new().with_key("user", "u1", "alice");
        // Every provider that resolves identities, each with its own identity type.
        let resolving: Vec<_> = crate::registry::PROVIDERS
            .iter()
            .filter(|p| p.resolves_identity)
            .map(|p| (p.name, p.display))
            .collect();
        assert!(resolving.len() >= 3, "{resolving:?}");
        for (provider, display) in resolving {
            for identity in [&other, &bare] {
                let o = *resolved_as::<Mine>(provider, &query(), Some(identity))
                    .err()
                    .expect("refused");
                assert_eq!(o.status, Status::Failed);
                assert_eq!(o.failure_kind, FailureKind::Internal);
                assert!(!o.is_engine_approval());
                assert_eq!(o.provider, provider);
                assert_eq!(o.user_name, "alice@contoso.com");
                assert!(
                    o.message.starts_with(&format!(
                        "internal error: the identity was not resolved by {display}; nothing was sent, not an approval"
                    )),
                    "{}",
                    o.message
                );
            }
        }
    }
}
