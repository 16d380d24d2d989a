//! Where each audit line lands outside the file, decided once: the Windows Event Log id and
//! type, and the syslog severity, per status (and for the header that starts a chain).
//!
//! The engine has no `unsafe` code, so the Windows Event Log call itself is not here: a host
//! passes an [`EventSink`] (the C ABI library has one for Windows, `rust/ffi/src/eventlog.rs`)
//! and the engine gives it each line with the entry this table says.

use crate::outcome::Status;

/// The Event Log source (in the Application log) every entry is written under.
pub const EVENT_SOURCE: &str = "MfaApproval";

/// How severe an entry is (the Event Log's entry type; syslog's severity follows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Information (syslog notice; informational for a chain header).
    Information,
    /// Warning (syslog warning).
    Warning,
    /// Error (syslog error).
    Error,
}

/// What an audit line is, for its Event Log entry and syslog message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// The header that starts a chain (a new file).
    Header,
    /// A header that starts a new chain because the file's end was not a valid chain.
    HeaderAfterBroken,
    /// A finished request's record.
    Record(Status),
}

impl Entry {
    /// The Event Log event id: 1000 for a header, 1100 for a header after a broken file,
    /// 1000 + the status's ABI number for a record (1001 Approved, 1002 Denied,
    /// 1003 FraudReported, 1004 TimedOut, 1005 Failed, 1006 Cancelled, 1007 Completed).
    pub fn event_id(self) -> u32 {
        match self {
            Entry::Header => 1000,
            Entry::HeaderAfterBroken => 1100,
            Entry::Record(s) => 1000 + s.abi_number(),
        }
    }

    /// The entry's level.
    pub fn level(self) -> Level {
        match self {
            Entry::Header => Level::Information,
            Entry::HeaderAfterBroken => Level::Warning,
            Entry::Record(Status::Approved | Status::Completed) => Level::Information,
            Entry::Record(Status::Denied | Status::TimedOut | Status::Cancelled) => Level::Warning,
            Entry::Record(Status::FraudReported | Status::Failed) => Level::Error,
        }
    }

    /// The syslog severity (RFC 5424): 6 informational (a header), 5 notice, 4 warning, 3 error.
    pub fn syslog_severity(self) -> u8 {
        match (self, self.level()) {
            (Entry::Header, _) => 6,
            (_, Level::Information) => 5,
            (_, Level::Warning) => 4,
            (_, Level::Error) => 3,
        }
    }

    /// The syslog MSGID: the status name, or `header`.
    pub fn msgid(self) -> &'static str {
        match self {
            Entry::Header | Entry::HeaderAfterBroken => "header",
            Entry::Record(s) => s.name(),
        }
    }

    /// The entry's name in the capabilities (`header`, `headerAfterBroken`, or the status).
    pub fn name(self) -> String {
        match self {
            Entry::Header => "header".into(),
            Entry::HeaderAfterBroken => "headerAfterBroken".into(),
            Entry::Record(s) => s.name().into(),
        }
    }

    /// Every entry (for the documented table).
    pub fn all() -> Vec<Entry> {
        let mut v = vec![Entry::Header, Entry::HeaderAfterBroken];
        v.extend(Status::ALL.iter().map(|s| Entry::Record(*s)));
        v
    }
}

/// Writes audit lines to the Windows Event Log (given by the host; see the module notes).
pub trait EventSink: Send + Sync + std::fmt::Debug {
    /// Writes `line` as one entry of `entry`'s id and level under [`EVENT_SOURCE`]; the
    /// error says what failed, in words.
    fn write(&self, entry: Entry, line: &str) -> Result<(), String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_its_own_event_id() {
        let ids: std::collections::HashSet<u32> =
            Entry::all().iter().map(|e| e.event_id()).collect();
        assert_eq!(ids.len(), Entry::all().len());
        assert_eq!(Entry::Record(Status::Approved).event_id(), 1001);
        assert_eq!(Entry::Record(Status::FraudReported).level(), Level::Error);
    }
}
