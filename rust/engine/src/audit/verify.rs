//! Verifying an audit file: streaming, one line of look-ahead, constant memory.
//!
//! Every line must be a chained record ([`super::chain`]); the first is the header (seq 0),
//! each next one has the next sequence number and the SHA-256 of the line before it as
//! `prev`; with a key, every line's MAC verifies. The first place where that fails is
//! reported once, as the record it concerns and why:
//!
//! | reason | what the file shows | the record named |
//! |---|---|---|
//! | `edited` | a line no longer hashes to its successor's `prev` (or, with a key, its MAC fails while its successor still names its old hash); a line that is not a chained record | the changed record |
//! | `removed` | a sequence number is skipped (or the header is missing) | the first missing one |
//! | `reordered` | a later record comes before the expected one, which follows it | the expected one |
//! | `inserted` | a record whose number was already used, or (with a key) a line with a bad MAC followed by the real record of that number | the position's number |
//! | `badMac` | with a key: a MAC that does not verify although the chain is consistent (a file rewritten without the key, or written with another key), or a record without a MAC | that record |
//! | `truncated` | the last line is incomplete (no newline at its end) | the last record |
//!
//! Limits of any hash chain, stated so nobody relies on more: without a key, whoever can
//! write the file can rewrite it all consistently, and the last record can be edited (no
//! successor names its hash); with or without a key, whole records cut from the end leave a
//! valid shorter chain. Compare `lastSeq`/`lastHash` with a copy kept elsewhere (syslog, a
//! SIEM) to catch that.

use super::chain::{self, Key, Parsed, MAX_CHAIN_LINE_BYTES};
use serde::Serialize;
use std::io::BufRead;

/// Why a file is not a valid chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// A record was changed after it was written.
    Edited,
    /// One or more records are missing.
    Removed,
    /// Records are out of order.
    Reordered,
    /// A record that does not belong was inserted.
    Inserted,
    /// A MAC does not verify with the given key.
    BadMac,
    /// The last line is incomplete.
    Truncated,
}

impl Reason {
    /// Every reason, in declaration order.
    pub const ALL: &'static [Reason] = &[
        Reason::Edited,
        Reason::Removed,
        Reason::Reordered,
        Reason::Inserted,
        Reason::BadMac,
        Reason::Truncated,
    ];

    /// The reason's name in the report (`reason`).
    pub fn name(self) -> &'static str {
        match self {
            Reason::Edited => "edited",
            Reason::Removed => "removed",
            Reason::Reordered => "reordered",
            Reason::Inserted => "inserted",
            Reason::BadMac => "badMac",
            Reason::Truncated => "truncated",
        }
    }
}

/// What the verifier found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Whether the whole file is one valid chain.
    pub valid: bool,
    /// How many records (lines other than the header) the file holds.
    pub records: u64,
    /// The sequence number of the first bad record, when the file is not valid.
    pub first_bad_record: Option<u64>,
    /// Why it is not valid.
    pub reason: Option<Reason>,
    /// One sentence about the result.
    pub message: String,
    /// Whether MACs were checked (a key was given).
    pub keyed: bool,
    /// The header's key id (the file was written with an audit key), if any.
    pub key_id: Option<String>,
    /// The last valid record's sequence number (before the first bad one).
    pub last_seq: Option<u64>,
    /// The SHA-256 of the last valid line: keep it elsewhere to detect records cut from the end.
    pub last_hash: Option<String>,
}

/// One line as read: its bytes (without the newline), whether a newline ended it, and its
/// reading as a chained record.
struct Line {
    bytes: Vec<u8>,
    ended: bool,
    parsed: Result<Parsed, String>,
    hash: Option<String>,
}

impl Line {
    fn hash(&mut self) -> &str {
        if self.hash.is_none() {
            self.hash = Some(chain::line_hash(&self.bytes));
        }
        self.hash.as_deref().unwrap_or_default()
    }
}

/// Reads the next line, keeping at most [`MAX_CHAIN_LINE_BYTES`] + 1 bytes of it.
fn next_line(reader: &mut impl BufRead, spare: Vec<u8>) -> std::io::Result<Option<Line>> {
    let mut bytes = spare;
    bytes.clear();
    let mut ended = false;
    let mut any = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        any = true;
        let (take, found) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (at, true),
            None => (buf.len(), false),
        };
        let room = (MAX_CHAIN_LINE_BYTES + 1).saturating_sub(bytes.len());
        bytes.extend_from_slice(&buf[..take.min(room)]);
        reader.consume(if found { take + 1 } else { take });
        if found {
            ended = true;
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    let parsed = chain::parse(&bytes);
    Ok(Some(Line {
        bytes,
        ended,
        parsed,
        hash: None,
    }))
}

/// Verifies the chain read from `reader` (MACs too when `key` is given).
pub fn verify(mut reader: impl BufRead, key: Option<&Key>) -> std::io::Result<Report> {
    let mut report = Report {
        valid: true,
        records: 0,
        first_bad_record: None,
        reason: None,
        message: String::new(),
        keyed: key.is_some(),
        key_id: None,
        last_seq: None,
        last_hash: None,
    };
    let mut expected: u64 = 0;
    let mut prev_hash: Option<String> = None;
    let mut first = true;
    let mut cur = next_line(&mut reader, Vec::new())?;
    let mut spare = Vec::new();
    while let Some(mut line) = cur.take() {
        let mut next = next_line(&mut reader, std::mem::take(&mut spare))?;
        let is_header = first && matches!(&line.parsed, Ok(p) if p.is_header());
        if !is_header {
            report.records += 1;
        }
        if is_header {
            if let Ok(p) = &line.parsed {
                report.key_id.clone_from(&p.key_id);
            }
        }
        first = false;
        if report.valid {
            match judge(
                &mut line,
                next.as_mut(),
                expected,
                prev_hash.as_deref(),
                key,
            ) {
                Ok(()) => {
                    expected += 1;
                    report.last_seq = line.parsed.as_ref().ok().map(|p| p.seq);
                    prev_hash = Some(line.hash().to_owned());
                    report.last_hash.clone_from(&prev_hash);
                }
                Err((at, reason, message)) => {
                    report.valid = false;
                    report.first_bad_record = Some(at);
                    report.reason = Some(reason);
                    report.message = message;
                }
            }
        }
        spare = line.bytes;
        cur = next;
    }
    if report.valid && expected == 0 {
        report.valid = false;
        report.first_bad_record = Some(0);
        report.reason = Some(Reason::Removed);
        report.message = "the file is empty: its header record (seq 0) is missing".into();
    }
    if report.valid {
        report.message = format!(
            "a valid chain of {} record(s) after its header{}",
            report.records,
            match (key, &report.key_id) {
                (Some(_), _) => ", every MAC verified with the given key",
                (None, Some(_)) => " (the file carries MACs; give the audit key to check them)",
                (None, None) => " (no MACs: anyone who can write the file could rewrite it whole)",
            }
        );
    }
    Ok(report)
}

type Verdict = Result<(), (u64, Reason, String)>;

/// The verdict on `line`, expected to be record `e` after a line hashing to `prev_hash`.
fn judge(
    line: &mut Line,
    next: Option<&mut Line>,
    e: u64,
    prev_hash: Option<&str>,
    key: Option<&Key>,
) -> Verdict {
    let last = next.is_none();
    let p = match &line.parsed {
        Ok(p) => p,
        Err(why) if last && !line.ended => {
            return Err((
                e,
                Reason::Truncated,
                format!("the last line (record {e}) is incomplete: the file was truncated or a write was torn ({why})"),
            ))
        }
        Err(why) => {
            return Err((
                e,
                Reason::Edited,
                format!("the line of record {e} is not a chained audit record: {why}"),
            ))
        }
    };
    let (seq, prev, header, has_mac) = (p.seq, p.prev.clone(), p.is_header(), p.mac.is_some());
    let other_key = p
        .key_id
        .clone()
        .filter(|id| key.is_some_and(|k| k.id() != id));
    let mac_ok = key.map(|k| p.mac_verifies(&line.bytes, k));
    let next_seq = next
        .as_ref()
        .and_then(|n| n.parsed.as_ref().ok())
        .map(|n| n.seq);
    if seq > e {
        return Err(if next_seq == Some(e) {
            (
                e,
                Reason::Reordered,
                format!("records {e} and {seq} are out of order (record {seq} comes first)"),
            )
        } else if e == 0 {
            (
                0,
                Reason::Removed,
                format!("the header record (seq 0) is missing: the file starts at record {seq}"),
            )
        } else {
            (
                e,
                Reason::Removed,
                format!("record {e} is missing: the next line is record {seq} (records {e} to {} were removed)", seq - 1),
            )
        });
    }
    if seq < e {
        return Err((
            e,
            Reason::Inserted,
            format!("a line that does not belong was inserted where record {e} should be (it claims to be record {seq}, which came before)"),
        ));
    }
    if header != (e == 0) {
        return Err(if e == 0 {
            (
                0,
                Reason::Edited,
                "the first line is not a header record".into(),
            )
        } else {
            (
                e,
                Reason::Inserted,
                format!("a header record was inserted where record {e} should be"),
            )
        });
    }
    if !line.ended && last {
        return Err((
            e,
            Reason::Truncated,
            format!("the last line (record {e}) has no newline at its end: the file was truncated or a write was torn"),
        ));
    }
    if let Some(ok) = mac_ok {
        if !has_mac {
            return Err((
                e,
                Reason::BadMac,
                format!("record {e} has no MAC: it was written without an audit key (or the MAC was removed)"),
            ));
        }
        if !ok {
            if let (0, Some(id), Some(k)) = (e, other_key, key) {
                return Err((
                    0,
                    Reason::BadMac,
                    format!("the file was written with another audit key (key id {id}; the given key's id is {})", k.id()),
                ));
            }
            let hash = line.hash().to_owned();
            return Err(match next {
                Some(n) if matches!(&n.parsed, Ok(np) if np.seq == e) => (
                    e,
                    Reason::Inserted,
                    format!("a forged line (its MAC does not verify) was inserted before the real record {e}"),
                ),
                Some(n) if matches!(&n.parsed, Ok(np) if np.prev != hash) => (
                    e,
                    Reason::Edited,
                    format!("record {e} was changed after it was written (its MAC does not verify, and record {} names another hash)", e + 1),
                ),
                _ => (
                    e,
                    Reason::BadMac,
                    format!("record {e}'s MAC does not verify with the given key: the file was rewritten without the key, or written with another one"),
                ),
            });
        }
    }
    if let Some(expected_prev) = prev_hash {
        if prev != expected_prev {
            let at = e - 1;
            return Err((
                at,
                Reason::Edited,
                format!("record {at} was changed after it was written (its hash is not the one record {e} names)"),
            ));
        }
    }
    if next_seq == Some(e) {
        return Err((
            e,
            Reason::Inserted,
            format!("two lines claim to be record {e}: one of them was inserted"),
        ));
    }
    Ok(())
}

/// Verifies the file at `path`: a regular file, opened without following a symbolic link
/// and without waiting on a FIFO; read once, streaming.
pub fn verify_file(path: &std::path::Path, key: Option<&Key>) -> std::io::Result<Report> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = options.open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(std::io::Error::other(format!(
            "it is {}, not a regular file",
            super::path::describe(&kind)
        )));
    }
    verify(std::io::BufReader::with_capacity(256 * 1024, file), key)
}
