//! A push left on a phone after its request is over is what prompt-bombing ("MFA fatigue")
//! relies on: the person sees a prompt for a request nobody waits for any more, and may
//! approve it. A provider that can withdraw a push (its registry entry says so) withdraws every push whose
//! request stopped waiting before the provider decided it (cancelled, past its deadline,
//! decided by other approvers, a refused answer); the withdraw never waits behind a
//! rate-limit hold meant for new work, and it gets [`WITHDRAW_GRACE`] from the moment it is
//! needed. The outcome says what happened, per approver and at the top (`pushWithdrawn`):
//! `true` (the provider confirmed the withdraw), `false` (refused, failed, no answer within
//! the grace, or sent as the host ended the request and not waited for: the push may still
//! be on the phone), or `null` (nothing needed withdrawing, or the provider has no withdraw).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// How long a withdraw may take once it is needed (a request past its deadline ends at most
/// this much later).
pub const WITHDRAW_GRACE: Duration = Duration::from_secs(3);

#[derive(Debug, Default)]
struct State {
    /// A push is out and nobody decided it yet.
    armed: bool,
    /// The withdraw was sent and its answer is awaited.
    sending: bool,
    /// Whether it was withdrawn, and if not, why (once known).
    result: Option<(bool, String)>,
}

/// One approver's withdraw. The provider arms it once a push is out, disarms it when its own
/// decision ended the push, and reports the withdraw it sends when it stops waiting before
/// that. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct WithdrawSlot {
    inner: Arc<(Mutex<State>, Notify)>,
}

impl WithdrawSlot {
    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A push is out: leaving before the provider decides needs a withdraw.
    pub fn arm(&self) {
        self.state().armed = true;
    }

    /// The provider decided (approved, denied, expired): nothing to withdraw.
    pub fn disarm(&self) {
        self.state().armed = false;
    }

    /// Whether the push is armed (out, undecided, no withdraw sent yet).
    pub fn is_armed(&self) -> bool {
        self.state().armed
    }

    /// The withdraw is being sent.
    pub fn sending(&self) {
        let mut s = self.state();
        s.armed = false;
        s.sending = true;
    }

    /// The withdraw's result: `withdrawn`, and when not, why (in words, redacted).
    pub fn sent(&self, withdrawn: bool, why: impl Into<String>) {
        {
            let mut s = self.state();
            s.sending = false;
            s.armed = false;
            s.result = Some((withdrawn, why.into()));
        }
        self.inner.1.notify_waiters();
    }

    /// Whether a withdraw is needed or under way (the push may still be on the phone).
    pub fn outstanding(&self) -> bool {
        let s = self.state();
        s.armed || (s.sending && s.result.is_none())
    }

    /// What the outcome says: `None` when nothing needed withdrawing, else whether it was
    /// withdrawn and, when not, why. A withdraw still under way is waited for until `limit`
    /// (then it is `false`).
    pub async fn settled(&self, limit: Instant) -> Option<(bool, String)> {
        loop {
            let notified = self.inner.1.notified();
            {
                let s = self.state();
                if let Some(r) = &s.result {
                    return Some(r.clone());
                }
                if s.armed {
                    // Armed after the provider's run ended: no withdraw was sent (a provider bug).
                    return Some((false, "no withdraw was sent".into()));
                }
                if !s.sending {
                    return None;
                }
            }
            if tokio::time::timeout_at(limit, notified).await.is_err() {
                return Some((
                    false,
                    format!(
                        "no answer to the withdraw within {} s",
                        WITHDRAW_GRACE.as_secs()
                    ),
                ));
            }
        }
    }
}

/// The withdraw slots of one request, one per approver (a host reads which pushes are still
/// out when it ends the request itself). Cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct Withdrawals {
    slots: Arc<Mutex<Vec<(String, WithdrawSlot)>>>,
}

impl Withdrawals {
    /// A new slot for `user`'s push.
    pub(crate) fn slot(&self, user: &str) -> WithdrawSlot {
        let slot = WithdrawSlot::default();
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((user.to_owned(), slot.clone()));
        slot
    }

    /// The approvers whose push is still out or whose withdraw is still under way.
    pub fn outstanding(&self) -> Vec<String> {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(_, s)| s.outstanding())
            .map(|(u, _)| u.clone())
            .collect()
    }
}

/// The warning an outcome carries when `user`'s push was not withdrawn.
pub fn not_withdrawn_warning(user: &str, why: &str) -> String {
    format!("the push to {user} could not be withdrawn ({why}); it may stay on the phone until it expires: tell {user} to deny it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slot_says_null_true_or_false() {
        let limit = || Instant::now() + Duration::from_millis(200);
        let never = WithdrawSlot::default();
        assert_eq!(never.settled(limit()).await, None);
        let decided = WithdrawSlot::default();
        decided.arm();
        decided.disarm();
        assert_eq!(decided.settled(limit()).await, None);
        let done = WithdrawSlot::default();
        done.arm();
        done.sending();
        assert!(done.outstanding());
        let later = done.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            later.sent(true, "");
        });
        assert_eq!(done.settled(limit()).await, Some((true, String::new())));
        assert!(!done.outstanding());
        let hung = WithdrawSlot::default();
        hung.arm();
        hung.sending();
        let (withdrawn, why) = hung.settled(limit()).await.unwrap();
        assert!(!withdrawn && why.contains("no answer"), "{why}");
    }
}
