//! One call-with-retry policy for the HTTP JSON providers: each call
//! says how it may be retried ([`Class`]), each failed attempt what happened ([`Failed`]),
//! and [`call`] decides, the same way for every provider:
//!
//! - a `Safe` call (it changes nothing: a poll, a listing, a sign-in) is retried after a 429,
//!   a 5xx or a transport failure (connect, DNS, reset, timeout);
//! - an `OnlyIfRefused` call (it starts or consumes a push) only after a 429 (the server
//!   refused it) or a call that never left (connect, DNS); `OnlyIfNeverSent` only the latter;
//! - a `Withdraw` (the `DELETE` of a push left waiting) is retried like a safe call, but never
//!   waits behind a rate-limit hold meant for new work (a push left on a phone is worse than
//!   one call over the limit), waits at most [`WITHDRAW_MAX_WAIT`] between tries and tries
//!   at most `max_transport_retries` more times (its caller bounds it to the withdraw grace);
//! - a 429 or 5xx is retried up to `max_busy_retries` times, a transport failure up to
//!   `max_transport_retries` times, after the wait the server asked for (`Retry-After`, a
//!   rate-limit reset) or else an exponential backoff (1 s, 2 s, 4 s ... up to
//!   `2^max_doublings` s) plus up to 1 s of jitter;
//! - a [`RateHold`] (Okta's `X-Rate-Limit-Remaining: 0` until the reset) holds every call but
//!   a withdraw.
//!
//! Every wait is a sleep inside the request's future, so the request's deadline (which drops
//! that future) bounds all of it. HTTP status to failure kind is [`status_kind`], once.

use crate::failure::FailureKind;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest wait between two tries of a withdraw.
pub const WITHDRAW_MAX_WAIT: Duration = Duration::from_secs(1);

/// How a call may be retried (its idempotency class).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Changes nothing: retry 429, 5xx and transport failures.
    Safe,
    /// Starts or consumes a push: retry a 429 or a call that never left.
    OnlyIfRefused,
    /// Starts a push where a 429 may have been acted on: retry only a call that never left.
    OnlyIfNeverSent,
    /// Withdraws a push: as `Safe`, never behind a rate-limit hold, short waits.
    Withdraw,
}

/// One failed attempt as the policy reads it: the provider's error, its kind, the HTTP
/// status when the server answered, and the wait the server asked for (if any).
#[derive(Debug)]
pub struct Failed<E> {
    /// The provider's error (returned when no retry is left).
    pub error: E,
    /// Its kind.
    pub kind: FailureKind,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// What the server asked for (`Retry-After`, a rate-limit reset).
    pub wait: Option<Duration>,
}

impl<E> Failed<E> {
    /// A failure that is not an HTTP answer (transport, a refused answer).
    pub fn of(error: E, kind: FailureKind) -> Self {
        Self {
            error,
            kind,
            status: None,
            wait: None,
        }
    }

    /// The server is busy: 429 or 5xx.
    pub fn busy(&self) -> bool {
        matches!(self.status, Some(s) if s == 429 || s >= 500)
    }
}

/// A provider's retry limits.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Retries of a 429 or 5xx.
    pub max_busy_retries: u32,
    /// Retries of a transport failure (a down server is told quickly).
    pub max_transport_retries: u32,
    /// The backoff doubles from 1 s this many times at most.
    pub max_doublings: u32,
}

impl Policy {
    /// The wait before try `attempt + 1` after `failed`, or `None`: the failure stands.
    pub fn next_wait<E>(&self, class: Class, attempt: u32, failed: &Failed<E>) -> Option<Duration> {
        let busy = failed.busy();
        let never_left = matches!(failed.kind, FailureKind::Connect | FailureKind::Dns);
        let transport =
            never_left || matches!(failed.kind, FailureKind::Transport | FailureKind::Timeout);
        let retryable = match class {
            Class::Safe | Class::Withdraw => busy || transport,
            Class::OnlyIfRefused => failed.status == Some(429) || never_left,
            Class::OnlyIfNeverSent => never_left,
        };
        let limit = if busy && class != Class::Withdraw {
            self.max_busy_retries
        } else {
            self.max_transport_retries
        };
        if !retryable || attempt >= limit {
            return None;
        }
        Some(match class {
            Class::Withdraw => failed
                .wait
                .unwrap_or(Duration::from_millis(200))
                .min(WITHDRAW_MAX_WAIT),
            _ => failed.wait.unwrap_or_else(|| self.backoff(attempt)),
        })
    }

    /// 1 s, 2 s, 4 s ... (at most `2^max_doublings` s), plus up to 1 s of jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let mut jitter = [0u8; 2];
        let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut jitter);
        Duration::from_secs(1u64 << attempt.min(self.max_doublings))
            + Duration::from_millis(u64::from(u16::from_le_bytes(jitter)) % 1000)
    }
}

/// No call but a withdraw before an instant (a rate limit's reset).
#[derive(Debug, Default)]
pub struct RateHold {
    until: Mutex<Option<Instant>>,
}

impl RateHold {
    /// The server said: no call for `wait` (`None`: calls may go on).
    pub fn note(&self, wait: Option<Duration>) {
        *self.until.lock().unwrap_or_else(|p| p.into_inner()) = wait.map(|w| Instant::now() + w);
    }

    /// Waits until the hold ends.
    pub async fn wait(&self) {
        let until = *self.until.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = until {
            tokio::time::sleep_until(until.into()).await;
        }
    }
}

/// Runs `once` until it succeeds or `policy` says the failure stands; every call but a
/// withdraw first waits out `hold`.
pub async fn call<T, E, Fut>(
    policy: &Policy,
    class: Class,
    hold: Option<&RateHold>,
    mut once: impl FnMut() -> Fut,
) -> Result<T, E>
where
    Fut: Future<Output = Result<T, Failed<E>>>,
{
    let mut attempt = 0;
    loop {
        if let (Some(hold), false) = (hold, class == Class::Withdraw) {
            hold.wait().await;
        }
        let failed = match once().await {
            Ok(v) => return Ok(v),
            Err(f) => f,
        };
        let Some(wait) = policy.next_wait(class, attempt, &failed) else {
            return Err(failed.error);
        };
        attempt += 1;
        // The request's deadline bounds every wait (this sleep is dropped with it).
        tokio::time::sleep(wait).await;
    }
}

/// The failure kind of a non-2xx HTTP answer: 401 and 403 are the credentials, anything
/// else the status (a provider may read its own codes first).
pub fn status_kind(status: u16) -> FailureKind {
    match status {
        401 | 403 => FailureKind::Authentication,
        _ => FailureKind::HttpStatus,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    const POLICY: Policy = Policy {
        max_busy_retries: 3,
        max_transport_retries: 2,
        max_doublings: 2,
    };

    fn failed(kind: FailureKind, status: Option<u16>) -> Failed<()> {
        Failed {
            error: (),
            kind,
            status,
            wait: None,
        }
    }

    #[test]
    fn each_class_retries_only_what_it_may() {
        use FailureKind::*;
        let cases = [
            (failed(HttpStatus, Some(429)), [true, true, false, true]),
            (failed(HttpStatus, Some(503)), [true, false, false, true]),
            (failed(Connect, None), [true, true, true, true]),
            (failed(Dns, None), [true, true, true, true]),
            (failed(Timeout, None), [true, false, false, true]),
            (failed(Transport, None), [true, false, false, true]),
            (failed(Authentication, Some(401)), [false; 4]),
            (failed(HttpStatus, Some(400)), [false; 4]),
            (failed(Protocol, None), [false; 4]),
            (failed(Tls, None), [false; 4]),
        ];
        let classes = [
            Class::Safe,
            Class::OnlyIfRefused,
            Class::OnlyIfNeverSent,
            Class::Withdraw,
        ];
        for (f, expected) in &cases {
            for (class, retried) in classes.iter().zip(expected) {
                assert_eq!(
                    POLICY.next_wait(*class, 0, f).is_some(),
                    *retried,
                    "{class:?} after {:?} {:?}",
                    f.kind,
                    f.status
                );
            }
        }
    }

    #[test]
    fn limits_waits_and_the_servers_ask() {
        let busy = failed(FailureKind::HttpStatus, Some(503));
        assert!(POLICY.next_wait(Class::Safe, 2, &busy).is_some());
        assert!(POLICY.next_wait(Class::Safe, 3, &busy).is_none());
        let down = failed(FailureKind::Connect, None);
        assert!(POLICY.next_wait(Class::Safe, 1, &down).is_some());
        assert!(POLICY.next_wait(Class::Safe, 2, &down).is_none());
        // A withdraw tries as often as a transport failure allows, however busy.
        assert!(POLICY.next_wait(Class::Withdraw, 2, &busy).is_none());
        for attempt in 0..6 {
            let d = POLICY.backoff(attempt);
            let base = Duration::from_secs(1 << attempt.min(2));
            assert!(d >= base && d < base + Duration::from_secs(1), "{d:?}");
        }
        let mut asked = failed(FailureKind::HttpStatus, Some(429));
        asked.wait = Some(Duration::from_secs(30));
        assert_eq!(
            POLICY.next_wait(Class::Safe, 0, &asked),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            POLICY.next_wait(Class::Withdraw, 0, &asked),
            Some(WITHDRAW_MAX_WAIT)
        );
    }

    #[test]
    fn status_kinds_are_decided_once() {
        assert_eq!(status_kind(401), FailureKind::Authentication);
        assert_eq!(status_kind(403), FailureKind::Authentication);
        for s in [400, 404, 429, 500, 503] {
            assert_eq!(status_kind(s), FailureKind::HttpStatus);
        }
    }

    #[tokio::test]
    async fn a_withdraw_never_waits_behind_the_hold_and_new_work_does() {
        let hold = RateHold::default();
        hold.note(Some(Duration::from_secs(30)));
        let tries = AtomicU32::new(0);
        let once = || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Failed<()>>(())
        };
        call(&POLICY, Class::Withdraw, Some(&hold), once)
            .await
            .unwrap();
        assert_eq!(tries.load(Ordering::SeqCst), 1);
        let held = tokio::time::timeout(
            Duration::from_millis(300),
            call(&POLICY, Class::Safe, Some(&hold), once),
        )
        .await;
        assert!(held.is_err(), "new work waits for the reset");
        assert_eq!(tries.load(Ordering::SeqCst), 1, "and sent nothing");
        hold.note(None);
        call(&POLICY, Class::Safe, Some(&hold), once).await.unwrap();
        assert_eq!(tries.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failure_that_may_not_be_retried_is_sent_once() {
        let tries = AtomicU32::new(0);
        let r: Result<(), &str> = call(&POLICY, Class::OnlyIfRefused, None, || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(Failed {
                error: "503",
                kind: FailureKind::HttpStatus,
                status: Some(503),
                wait: None,
            })
        })
        .await;
        assert_eq!(r, Err("503"));
        assert_eq!(tries.load(Ordering::SeqCst), 1);
    }
}
