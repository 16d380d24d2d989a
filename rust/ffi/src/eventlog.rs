//! Windows only: the Event Log writer the engine's audit trail uses with `eventLog: true`
//! (the engine decides each entry's id and type, `mfa_engine::audit::event`; this file only
//! makes the Win32 calls, since the engine has no `unsafe` code).
//!
//! `RegisterEventSourceW(NULL, "MfaApproval")` once per client, `ReportEventW` with one
//! string (the audit line) per entry, `DeregisterEventSource` when the client is freed.
//! Registering the source in the registry (once, as an administrator) is what gives the
//! entries their source name in Event Viewer:
//! `[System.Diagnostics.EventLog]::CreateEventSource('MfaApproval', 'Application')`
//! (the README and docs/mim.md say so); without it Windows still records the entries.

use mfa_engine::audit::event::{Entry, EventSink, Level, EVENT_SOURCE};
use windows_sys::Win32::System::EventLog::{
    DeregisterEventSource, RegisterEventSourceW, ReportEventW, EVENTLOG_ERROR_TYPE,
    EVENTLOG_INFORMATION_TYPE, EVENTLOG_WARNING_TYPE,
};

/// ReportEventW takes at most 31,839 characters per string.
const MAX_CHARS: usize = 31_839;

/// An open event source. The handle is used from any thread (the Event Log API allows it).
pub(crate) struct EventLog {
    handle: isize,
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventLog").finish_non_exhaustive()
    }
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

impl EventLog {
    /// Opens the `MfaApproval` source on this machine, or says why it could not.
    pub(crate) fn open() -> Result<Self, String> {
        let name = wide(EVENT_SOURCE);
        // SAFETY: `name` is a NUL-terminated UTF-16 string that outlives the call; a NULL
        // server name means this machine.
        let handle = unsafe { RegisterEventSourceW(std::ptr::null(), name.as_ptr()) };
        if handle.is_null() {
            return Err(format!(
                "RegisterEventSourceW failed ({})",
                std::io::Error::last_os_error()
            ));
        }
        Ok(Self {
            handle: handle as isize,
        })
    }
}

impl EventSink for EventLog {
    fn write(&self, entry: Entry, line: &str) -> Result<(), String> {
        let kind = match entry.level() {
            Level::Information => EVENTLOG_INFORMATION_TYPE,
            Level::Warning => EVENTLOG_WARNING_TYPE,
            Level::Error => EVENTLOG_ERROR_TYPE,
        };
        let mut text: Vec<u16> = line.encode_utf16().take(MAX_CHARS).collect();
        text.push(0);
        let strings = [text.as_ptr()];
        // SAFETY: the handle is open until drop; `strings` holds one NUL-terminated UTF-16
        // string that outlives the call; no user SID and no raw data.
        let ok = unsafe {
            ReportEventW(
                self.handle as *mut core::ffi::c_void,
                kind,
                0,
                entry.event_id(),
                std::ptr::null_mut(),
                1,
                0,
                strings.as_ptr(),
                std::ptr::null(),
            )
        };
        if ok == 0 {
            return Err(format!(
                "ReportEventW failed ({})",
                std::io::Error::last_os_error()
            ));
        }
        Ok(())
    }
}

impl Drop for EventLog {
    fn drop(&mut self) {
        // SAFETY: the handle came from RegisterEventSourceW and is closed once, here.
        unsafe {
            DeregisterEventSource(self.handle as *mut core::ffi::c_void);
        }
    }
}
