//! The façade: one [`Client`] per configuration (thread-safe, cheap to clone, reused
//! across approvals), running validated queries under an overall deadline.

use crate::config::{ClientConfig, ConfigError, Secrets};
use crate::mfaserver::MfaServer;
use crate::outcome::{FailureKind, Outcome, Status};
use crate::provider::Provider;
use crate::request::Query;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A configured provider. Clones share the same connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    provider: Arc<dyn Provider>,
    require_user_match: bool,
}

impl Client {
    /// Validates `config`, reads its certificate files and builds the transport. The
    /// secrets are consumed and zeroized when this returns.
    pub fn new(config: &ClientConfig, secrets: Secrets) -> Result<Self, ConfigError> {
        config.validate(&secrets)?;
        let provider = MfaServer::new(config, &secrets)?;
        Ok(Self {
            provider: Arc::new(provider),
            require_user_match: config.require_user_match,
        })
    }

    /// Runs any validated query to its end under its deadline, filling the timing fields.
    /// Invalid queries come back as `Failed` outcomes naming the field.
    pub async fn run(&self, query: &Query) -> Outcome {
        let started_at_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let clock = Instant::now();
        let mut outcome = match query.validate() {
            Err(e) => self.blank(query).fail(
                Status::Failed,
                FailureKind::Protocol,
                format!("invalid request: {e}"),
            ),
            Ok(()) => {
                match tokio::time::timeout(query.deadline(), self.provider.run(query)).await {
                    Ok(outcome) => outcome,
                    Err(_) => self.blank(query).fail(
                        Status::TimedOut,
                        FailureKind::Timeout,
                        format!(
                            "no answer within the deadline of {} s",
                            query.timeout_seconds
                        ),
                    ),
                }
            }
        };
        outcome.started_at_unix_ms = started_at_unix_ms;
        outcome.elapsed_ms = clock.elapsed().as_millis() as u64;
        outcome
    }

    /// A cancelled outcome for `query` (used by hosts that cancel a pending request).
    pub fn cancelled(&self, query: &Query, started_at_unix_ms: u64, elapsed_ms: u64) -> Outcome {
        let mut o = self.blank(query).fail(
            Status::Cancelled,
            FailureKind::Cancelled,
            "cancelled by the caller before an answer; not an approval",
        );
        o.started_at_unix_ms = started_at_unix_ms;
        o.elapsed_ms = elapsed_ms;
        o
    }

    fn blank(&self, query: &Query) -> Outcome {
        Outcome::new(
            query.operation.name(),
            self.provider.name(),
            query.user_name.as_deref().unwrap_or_default(),
            self.require_user_match,
        )
    }
}
