//! Writing one record where the connection keeps its trail: the file (its chained lines
//! then go to the others byte for byte), else a chain kept in memory; then syslog and the
//! Windows Event Log; with the policy (`auditRequired`) that decides which failure undoes an
//! approval. The caller (`Client::record`) applies it to the outcome.

use super::event::{Entry, EventSink};
use super::{chain, config, file, syslog};

/// How much earlier than the caller's bound the file writer itself gives up.
const WRITER_MARGIN: std::time::Duration = std::time::Duration::from_millis(250);
use crate::outcome::Status;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a request waits for its audit records past its own deadline. A write that does
/// not finish in time (a hung file system, a silent syslog server) counts as not written:
/// an approval is then not granted. The file and the syslog server get
/// [`AUDIT_FIRST_PASS`] of it; the rest is for the record that corrects an approval which
/// one of them holds but a required one did not take.
pub const AUDIT_WRITE_BOUND: Duration = Duration::from_secs(2);

/// The part of [`AUDIT_WRITE_BOUND`] for the first pass over the file and the syslog server.
pub const AUDIT_FIRST_PASS: Duration = Duration::from_millis(1500);

/// Where records go, and which of them an approval needs.
#[derive(Debug)]
pub struct Audit {
    pub(super) host: String,
    pub(super) file: Option<file::FileTrail>,
    pub(super) syslog: Option<syslog::Syslog>,
    pub(super) events: Option<Arc<dyn EventSink>>,
    pub(super) key: Option<chain::Key>,
    pub(super) required: Option<config::Required>,
    /// The chain of records sent without a file (syslog, Event Log): its last line.
    pub(super) memory: Mutex<Option<chain::Tail>>,
}

/// Now, in milliseconds since 1970 (UTC).
pub(crate) fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The places a record goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sinks {
    /// The audit file.
    pub file: bool,
    /// The syslog server.
    pub syslog: bool,
    /// The Windows Event Log.
    pub events: bool,
}

impl Sinks {
    /// Every sink.
    pub const ALL: Sinks = Sinks {
        file: true,
        syslog: true,
        events: true,
    };
}

/// What one write did.
#[derive(Debug, Default)]
pub struct Written {
    /// A required sink that failed, in words (an approval is then not granted).
    pub failed_required: Option<String>,
    /// Sinks that took the record.
    pub delivered: Sinks,
    /// Sinks that were not tried (a required one failed first).
    pub skipped: Sinks,
    /// Problems with sinks that are not required, and chain restarts.
    pub warnings: Vec<String>,
}

impl Audit {
    /// Whether `sinks` includes a sink this trail has and requires.
    fn requires(&self, file: bool) -> bool {
        use config::Required::*;
        match self.required {
            Some(File) => file,
            Some(Syslog) => !file,
            Some(Both) => true,
            None => false,
        }
    }

    /// Writes `record` (one line from [`Audit::line`]) for a request that ended with
    /// `status` to the sinks in `to`, within `deadline`: the file first (its chained lines
    /// then go to syslog and the Event Log as they are), else a chain kept in memory. With
    /// `stop_if_required_fails` (an approval), nothing more is sent once a required sink
    /// failed, so no copy says Approved when the approval will not be granted.
    pub async fn write(
        self: &Arc<Self>,
        record: &str,
        status: Status,
        to: Sinks,
        deadline: tokio::time::Instant,
        stop_if_required_fails: bool,
    ) -> Written {
        let record = record.trim_end_matches('\n').to_owned();
        let unix_ms = now_unix_ms();
        let mut w = Written::default();
        let mut lines: Vec<(Entry, String)> = Vec::new();
        if let (Some(_), true) = (&self.file, to.file) {
            let this = self.clone();
            let rec = record.clone();
            // The writer gives up a little before the caller stops waiting, so its own
            // reason (a lock held by another writer) is the one reported, even on a loaded
            // machine where the blocking thread starts late.
            let first_pass = deadline
                .into_std()
                .checked_sub(WRITER_MARGIN)
                .unwrap_or_else(std::time::Instant::now);
            let job = tokio::task::spawn_blocking(move || match &this.file {
                Some(file) => file.append(
                    &rec,
                    this.key.as_ref(),
                    &|b| this.header(b),
                    unix_ms,
                    first_pass,
                ),
                None => Err(std::io::Error::other("no audit file")),
            });
            let result = match tokio::time::timeout_at(deadline, job).await {
                Ok(Ok(Ok(appended))) => Ok(appended),
                Ok(Ok(Err(e))) => Err(e.to_string()),
                Ok(Err(_)) => Err("the writer stopped".to_string()),
                Err(_) => Err(format!(
                    "the write did not finish within {} ms (the file system did not answer, or another writer held the audit file's lock)",
                    AUDIT_FIRST_PASS.as_millis()
                )),
            };
            match result {
                Ok(appended) => {
                    w.delivered.file = true;
                    let header_entry = if let Some(b) = &appended.broken {
                        w.warnings.push(format!(
                            "the audit file's end was not a valid chain ({}); it was moved aside to {} and a new chain started",
                            b.reason, b.moved_to
                        ));
                        Entry::HeaderAfterBroken
                    } else {
                        Entry::Header
                    };
                    let n = appended.lines.len();
                    for (i, l) in appended.lines.into_iter().enumerate() {
                        let entry = if i + 1 == n {
                            Entry::Record(status)
                        } else {
                            header_entry
                        };
                        lines.push((entry, l));
                    }
                }
                Err(e) => {
                    let message =
                        format!("the audit record could not be written to the file ({e})");
                    if self.requires(true) {
                        w.failed_required = Some(message);
                        if stop_if_required_fails {
                            w.skipped.syslog = self.syslog.is_some() && to.syslog;
                            w.skipped.events = self.events.is_some() && to.events;
                            return w;
                        }
                    } else {
                        w.warnings.push(message);
                    }
                    // The copies carry the record without chain members.
                    lines.push((Entry::Record(status), record.clone()));
                }
            }
        } else if self.file.is_none() {
            let mut tail = self.memory.lock().unwrap_or_else(|p| p.into_inner());
            if tail.is_none() {
                let h = chain::chain(&self.header(None), None, self.key.as_ref());
                *tail = Some(chain::Tail {
                    seq: 0,
                    hash: chain::line_hash(h.as_bytes()),
                });
                lines.push((Entry::Header, h));
            }
            let l = chain::chain(&record, tail.as_ref(), self.key.as_ref());
            let seq = tail.as_ref().map_or(0, |t| t.seq + 1);
            *tail = Some(chain::Tail {
                seq,
                hash: chain::line_hash(l.as_bytes()),
            });
            lines.push((Entry::Record(status), l));
        } else {
            // A correction that the file failed to take the first time: copies only.
            lines.push((Entry::Record(status), record.clone()));
        }
        if let (Some(syslog), true) = (&self.syslog, to.syslog) {
            let messages: Vec<String> = lines
                .iter()
                .map(|(entry, line)| syslog::message(line, *entry, &self.host, unix_ms))
                .collect();
            match syslog.send(&messages, deadline).await {
                Ok(()) => w.delivered.syslog = true,
                Err(e) => {
                    let message = format!("the audit record could not be sent to {e}");
                    if self.requires(false) && w.failed_required.is_none() {
                        w.failed_required = Some(message);
                        if stop_if_required_fails {
                            w.skipped.events = self.events.is_some() && to.events;
                            return w;
                        }
                    } else {
                        w.warnings.push(message);
                    }
                }
            }
        }
        if let (Some(sink), true) = (&self.events, to.events) {
            let sink = sink.clone();
            let job = tokio::task::spawn_blocking(move || {
                lines
                    .iter()
                    .try_for_each(|(entry, line)| sink.write(*entry, line))
            });
            match tokio::time::timeout_at(deadline, job).await {
                Ok(Ok(Ok(()))) => w.delivered.events = true,
                other => {
                    let e = match other {
                        Ok(Ok(Err(e))) => e,
                        _ => "the write did not finish in time".into(),
                    };
                    w.warnings.push(format!(
                        "the audit record could not be written to the Windows Event Log ({e})"
                    ));
                }
            }
        }
        w
    }
}
