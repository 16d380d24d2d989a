//! Polls paced by time, never by what the server says: every polling provider asks again
//! at most once per [`MIN_INTERVAL`] when the server answers at once. A long poll that held
//! for longer is asked again at once; a broken or hostile server that answers immediately
//! (with the same text, or a different message each time) gets at most N + 1 calls in N
//! seconds.

use std::time::{Duration, Instant};

/// The least time between the starts of two polls.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// The pacing of one poll loop.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    last: Option<Instant>,
}

impl Default for Pace {
    fn default() -> Self {
        Self::new(MIN_INTERVAL)
    }
}

impl Pace {
    /// A pace of at most one poll per `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last: None,
        }
    }

    /// Call before each poll: waits until `interval` has passed since the previous poll
    /// started (the first poll goes at once). The caller's deadline cancels the wait.
    pub async fn ready(&mut self) {
        if let Some(left) = self
            .last
            .and_then(|last| self.interval.checked_sub(last.elapsed()))
        {
            tokio::time::sleep(left).await;
        }
        self.last = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn polls_start_at_least_an_interval_apart() {
        let mut pace = Pace::new(Duration::from_millis(50));
        let clock = Instant::now();
        pace.ready().await;
        assert!(
            clock.elapsed() < Duration::from_millis(40),
            "the first goes at once"
        );
        let mut starts = vec![Instant::now()];
        for _ in 0..4 {
            pace.ready().await;
            starts.push(Instant::now());
        }
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(50));
        }
    }

    #[tokio::test]
    async fn a_slow_poll_is_followed_at_once() {
        let mut pace = Pace::new(Duration::from_millis(50));
        pace.ready().await;
        tokio::time::sleep(Duration::from_millis(60)).await;
        let clock = Instant::now();
        pace.ready().await;
        assert!(clock.elapsed() < Duration::from_millis(40));
    }
}
