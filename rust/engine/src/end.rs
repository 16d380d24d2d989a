//! The one end of a request. Whatever ends it (the provider's answer, the deadline, a panic
//! caught in the provider, a host's cancel or expiry, a host task that stopped without an
//! outcome), the request ends exactly once, through [`crate::Client::end`] (the engine's own
//! run) or [`crate::Client::end_by_host`] (a host ending it itself): the outcome is made
//! final and scrubbed, its audit record written (bounded by
//! [`crate::audit::AUDIT_WRITE_BOUND`]), and the progress stage `done` written, in that
//! order, by whoever claims the request's [`RequestEnd`] first. Every later claimant gets
//! `None` and writes nothing: one record, one `done`, one outcome for the host.

use crate::audit::{Audit, Sinks, AUDIT_WRITE_BOUND};
use crate::outcome::Status;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Who may still end one request. Cloning shares it (the engine's run and the host).
#[derive(Debug, Clone, Default)]
pub struct RequestEnd {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    claimed: AtomicBool,
    /// Ends completed (0 or 1): for tests and hosts that check.
    ended: AtomicUsize,
    /// Claims refused because the request had ended (or was ending) already.
    refused: AtomicUsize,
}

impl RequestEnd {
    /// Claims the end: `true` for the first caller only.
    pub(crate) fn claim(&self) -> bool {
        let first = !self.inner.claimed.swap(true, Ordering::AcqRel);
        if !first {
            self.inner.refused.fetch_add(1, Ordering::AcqRel);
        }
        first
    }

    /// The claimed end is complete (record written, `done` written).
    pub(crate) fn complete(&self) {
        self.inner.ended.fetch_add(1, Ordering::AcqRel);
    }

    /// Whether someone has claimed the end (it is ending or has ended).
    pub fn is_claimed(&self) -> bool {
        self.inner.claimed.load(Ordering::Acquire)
    }

    /// How many ends completed (never more than 1).
    pub fn ends(&self) -> usize {
        self.inner.ended.load(Ordering::Acquire)
    }

    /// How many claims came after the first (each wrote nothing).
    pub fn refused(&self) -> usize {
        self.inner.refused.load(Ordering::Acquire)
    }
}

/// How a host ends a request itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostEnd {
    /// The caller cancelled (`Cancelled`).
    Cancelled,
    /// The host's own wait ran out (`TimedOut`).
    Expired,
    /// The host's task for the request stopped without an outcome (`Failed`, `internal`).
    Died,
}

/// The audit record of a request a host ended: never an approval, so nothing waits for it;
/// the host runs [`AuditWrite::write`] off its own thread (a cancel never blocks).
#[derive(Debug)]
pub struct AuditWrite {
    pub(crate) audit: Arc<Audit>,
    pub(crate) line: String,
    pub(crate) status: Status,
}

impl AuditWrite {
    /// Writes the record to every sink, bounded by [`AUDIT_WRITE_BOUND`].
    pub async fn write(self) {
        let deadline = tokio::time::Instant::now() + AUDIT_WRITE_BOUND;
        let _ = self
            .audit
            .write(&self.line, self.status, Sinks::ALL, deadline, false)
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_claim_ends() {
        let end = RequestEnd::default();
        let other = end.clone();
        assert!(!end.is_claimed());
        assert!(end.claim());
        assert!(!other.claim());
        assert!(!end.claim());
        end.complete();
        assert_eq!((other.ends(), other.refused()), (1, 2));
        assert!(other.is_claimed());
    }
}
