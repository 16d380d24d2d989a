//! The provider interface: every MFA back end (MFA Server, Duo) answers a
//! validated [`Query`] with an [`Outcome`], never with an error: failures are outcomes
//! too, and none of them is an approval.

use crate::outcome::Outcome;
use crate::progress::Progress;
use crate::request::Query;
use crate::withdraw::WithdrawSlot;
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future (object-safe async for providers).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

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

    /// [`Provider::run`] for an approval whose push may need withdrawing: a provider that
    /// can withdraw a push arms `withdraw` once the push is out, disarms it when its own
    /// decision ended the push, and reports the withdraw it sends when it stops waiting
    /// before that (also when its run is dropped). The default cannot withdraw: the slot
    /// stays unarmed (`pushWithdrawn` null).
    fn run_withdrawable<'a>(
        &'a self,
        query: &'a Query,
        progress: &'a Progress,
        withdraw: &'a WithdrawSlot,
    ) -> BoxFuture<'a, Outcome> {
        let _ = withdraw;
        self.run(query, progress)
    }
}
