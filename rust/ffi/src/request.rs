//! `mfa_request`: one approval (or query), started in the background and polled.
//!
//! The outcome reaches the handle through a mutex and condition variable; `poll` waits
//! on it with a bound, `cancel` settles it as Cancelled and aborts the background task
//! (dropping the HTTP call) without ever blocking.

use crate::buffers::{non_null, utf8, write_output};
use crate::client::mfa_client;
use crate::panic::{guard, guard_void};
use crate::result::{fail, mfa_result, MFA_STATUS_PENDING};
use mfa_engine::end::AuditWrite;
use mfa_engine::outcome::FailureKind;
use mfa_engine::{Client, Outcome, Query, Status};
use mfa_engine::{HostEnd, Progress, RequestEnd, Withdrawals};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::task::AbortHandle;

enum Slot {
    NotStarted,
    Pending {
        started_unix_ms: u64,
        clock: Instant,
        task: Option<AbortHandle>,
    },
    Done {
        status: u32,
        json: Vec<u8>,
    },
}

pub(crate) struct Shared {
    slot: Mutex<Slot>,
    done: Condvar,
    /// What the provider is doing now (`mfa_request_progress`).
    pub(crate) progress: Progress,
    /// Which approvers' pushes are still out (a cancel says they were not confirmed withdrawn).
    withdrawals: Withdrawals,
    /// Who ends the request (the engine's run or the host): exactly one of them.
    pub(crate) end: RequestEnd,
    /// A cancelled request's audit line is being appended (free waits for it, briefly).
    audit_pending: Mutex<bool>,
    audit_written: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Settles the slot unless it is already settled (the first outcome wins). The request's
    /// end (`Client::end` / `Client::end_by_host`: record, progress `done`) comes first, so
    /// a reader that saw the status sees `done`.
    fn settle(&self, outcome: &Outcome) {
        let json = serde_json::to_vec(outcome)
            .unwrap_or_else(|_| br#"{"status":"Failed","approved":false}"#.to_vec());
        let mut slot = self.lock();
        if !matches!(*slot, Slot::Done { .. }) {
            *slot = Slot::Done {
                status: outcome.status.abi_number(),
                json,
            };
            self.done.notify_all();
        }
    }
}

/// One request (an approval, or a query). Opaque; thread-safe.
pub struct mfa_request {
    client: Client,
    query: Query,
    pub(crate) shared: Arc<Shared>,
}

impl mfa_request {
    fn cancel(&self) {
        self.settle_early(false);
    }

    /// Ends a pending request now: as Cancelled (`expired` false) or, when the host's wait
    /// ran out, as TimedOut, through the engine's one end (`Client::end_by_host`), so the
    /// result, the audit trail and the progress agree. A request whose run is already
    /// ending (its record being written) keeps that end: this waits for it, at most
    /// `AUDIT_WRITE_BOUND` and a second.
    fn settle_early(&self, expired: bool) {
        let mut slot = self.shared.lock();
        let (started, elapsed) = match &*slot {
            Slot::Done { .. } => return,
            Slot::NotStarted => (now_unix_ms(), 0),
            Slot::Pending {
                started_unix_ms,
                clock,
                ..
            } => (*started_unix_ms, clock.elapsed().as_millis() as u64),
        };
        let how = if expired {
            HostEnd::Expired
        } else {
            HostEnd::Cancelled
        };
        let Some((outcome, audit)) = self.client.end_by_host(
            &self.query,
            &self.shared.progress,
            &self.shared.withdrawals,
            &self.shared.end,
            how,
            started,
            elapsed,
        ) else {
            // The run claimed the end first: its outcome settles the slot shortly.
            let limit = mfa_engine::audit::AUDIT_WRITE_BOUND + Duration::from_secs(1);
            let _ = self
                .shared
                .done
                .wait_timeout_while(slot, limit, |s| !matches!(s, Slot::Done { .. }));
            return;
        };
        let task = match &mut *slot {
            Slot::Pending { task, .. } => task.take(),
            _ => None,
        };
        *slot = Slot::Done {
            status: outcome.status.abi_number(),
            json: serde_json::to_vec(&outcome).unwrap_or_default(),
        };
        self.shared.done.notify_all();
        drop(slot);
        if let Some(task) = task {
            task.abort();
        }
        write_audit_later(&self.shared, audit);
    }

    /// Waits up to 2 s for a cancel's audit line to be appended.
    fn wait_for_audit(&self) {
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut pending = self
            .shared
            .audit_pending
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        while *pending {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            pending = self
                .shared
                .audit_written
                .wait_timeout(pending, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// What a request's background task owns. Its drop settles a request that is still
/// pending when the task ends without an outcome (a panic, or the runtime shutting down)
/// as `Failed` (`internal`): never Pending for ever.
struct SettleOnDrop {
    shared: Arc<Shared>,
    client: Client,
    query: Query,
    started_unix_ms: u64,
    clock: Instant,
}

impl Drop for SettleOnDrop {
    fn drop(&mut self) {
        if !matches!(*self.shared.lock(), Slot::Pending { .. }) {
            return;
        }
        let (started, elapsed) = (
            self.started_unix_ms,
            self.clock.elapsed().as_millis() as u64,
        );
        match self.client.end_by_host(
            &self.query,
            &self.shared.progress,
            &self.shared.withdrawals,
            &self.shared.end,
            HostEnd::Died,
            started,
            elapsed,
        ) {
            Some((outcome, audit)) => {
                self.shared.settle(&outcome);
                write_audit_later(&self.shared, audit);
            }
            None => {
                // This task had claimed the end and stopped before settling: the slot still
                // gets an outcome (never Pending for ever); its record, if any, stands.
                let outcome = self.client.ended(
                    &self.query,
                    started,
                    elapsed,
                    Status::Failed,
                    FailureKind::Internal,
                    "internal error: the request's task ended while it was ending; not an approval",
                );
                self.client.end_request(&self.shared.progress, &outcome);
                self.shared.settle(&outcome);
            }
        }
    }
}

/// Writes a host-ended request's record off the caller's thread (bounded); freeing the
/// request waits for it (briefly), so a host that frees and exits loses no line.
fn write_audit_later(shared: &Arc<Shared>, audit: Option<AuditWrite>) {
    let Some(audit) = audit else {
        return;
    };
    let shared = shared.clone();
    *shared
        .audit_pending
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = true;
    let done = move || {
        *shared
            .audit_pending
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = false;
        shared.audit_written.notify_all();
    };
    match crate::runtime::get() {
        Ok(rt) => {
            rt.spawn(async move {
                audit.write().await;
                done();
            });
        }
        Err(_) => done(),
    }
}

fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Creates a request (not yet started) on `client` from UTF-8 JSON: at least
/// `{"userName": "..."}` or, for an approval by several people (ABI 4),
/// `{"approvers": ["...", "..."], "require": "any" | "all" | N}` (`require` is required
/// with more than one approver; approvers must be different people: names are compared
/// ignoring case, surrounding spaces and lookalike forms, and a duplicate is refused
/// naming it); `excludeUserNames` (identities that may not approve, e.g. the requester);
/// optional `operation` (`authenticate` (default), `testSecurity`,
/// `userExists`, `getUserSettings`, `generateActivationCode`), `timeoutSeconds` (overall
/// deadline, default 120), `applicationName`, `initiatingIpAddress`, `mode`; for provider
/// `duo` also `pushType`, `pushInfo` (an object of strings), `device`, `hostname`,
/// `displayUserName`.
///
/// Returns `MFA_OK` and writes `*request_out` (free with `mfa_request_free`), or
/// `MFA_NULL_ARGUMENT`, `MFA_INVALID_UTF8`, `MFA_INVALID_REQUEST` (the message names the
/// field). Thread-safe. The request keeps the client alive.
///
/// # Safety
/// `client` must be a live client; `request_json` valid for `request_json_len` bytes;
/// `request_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mfa_request_new(
    client: *const mfa_client,
    request_json: *const u8,
    request_json_len: usize,
    request_out: *mut *mut mfa_request,
) -> mfa_result {
    guard(|| {
        if let Err(e) =
            non_null(client, "client").and_then(|_| non_null(request_out, "request_out"))
        {
            return e;
        }
        // SAFETY: the caller promises a valid buffer.
        let json = match unsafe { utf8(request_json, request_json_len, "request_json") } {
            Ok(s) => s,
            Err(e) => return e,
        };
        // SAFETY: checked non-null; the caller promises a live client.
        let client = unsafe { &*client }.client.clone();
        let query = match Query::from_json(json.as_bytes()) {
            Ok(q) => q,
            // Redacted of the client's secrets, like every message.
            Err(e) => {
                return fail(
                    mfa_result::MFA_INVALID_REQUEST,
                    client.scrub(&e.to_string()),
                )
            }
        };
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::NotStarted),
            done: Condvar::new(),
            progress: Progress::default(),
            withdrawals: Withdrawals::default(),
            end: RequestEnd::default(),
            audit_pending: Mutex::new(false),
            audit_written: Condvar::new(),
        });
        let request = Box::new(mfa_request {
            client,
            query,
            shared,
        });
        // SAFETY: checked non-null; the caller promises it is writable.
        unsafe { *request_out = Box::into_raw(request) };
        mfa_result::MFA_OK
    })
}

/// Starts the request in the background and returns at once.
///
/// Returns `MFA_OK`, `MFA_NULL_ARGUMENT`, `MFA_ALREADY_STARTED` (started or cancelled
/// before), or `MFA_RUNTIME_FAILED`. Thread-safe.
///
/// # Safety
/// `request` must be a live request.
#[no_mangle]
pub unsafe extern "C" fn mfa_request_start(request: *const mfa_request) -> mfa_result {
    guard(|| {
        if let Err(e) = non_null(request, "request") {
            return e;
        }
        // SAFETY: checked non-null; the caller promises a live request.
        let request = unsafe { &*request };
        let runtime = match crate::runtime::get() {
            Ok(r) => r,
            Err(e) => return e,
        };
        let mut slot = request.shared.lock();
        if !matches!(*slot, Slot::NotStarted) {
            return fail(
                mfa_result::MFA_ALREADY_STARTED,
                "request: already started or cancelled; create a new request",
            );
        }
        let (started_unix_ms, clock) = (now_unix_ms(), Instant::now());
        // `started` (and an approval's approvers, all pending) is visible as soon as this
        // returns.
        request.shared.progress.start_for(&request.query);
        let task = SettleOnDrop {
            shared: request.shared.clone(),
            client: request.client.clone(),
            query: request.query.clone(),
            started_unix_ms,
            clock,
        };
        let handle = runtime.spawn(async move {
            // The run ends the request (record, progress `done`) unless a cancel or an
            // expiry ended it first, which settled the slot itself.
            let ended = task
                .client
                .run_to_end(
                    &task.query,
                    &task.shared.progress,
                    &task.shared.withdrawals,
                    &task.shared.end,
                )
                .await;
            if let Some(outcome) = ended {
                task.shared.settle(&outcome);
            }
            // Dropping `task` now finds the slot settled and does nothing.
        });
        *slot = Slot::Pending {
            started_unix_ms,
            clock,
            task: Some(handle.abort_handle()),
        };
        mfa_result::MFA_OK
    })
}

/// Waits up to `wait_ms` milliseconds (0: do not wait) for the request to finish and
/// writes its status to `*status_out`: `MFA_STATUS_PENDING` while running, else one of
/// `MFA_STATUS_APPROVED` ... `MFA_STATUS_COMPLETED`.
///
/// Returns `MFA_OK`, `MFA_NULL_ARGUMENT` or `MFA_NOT_STARTED`. Safe from any thread,
/// concurrently with `mfa_request_cancel` (which wakes a waiting poll at once).
///
/// # Safety
/// `request` must be a live request; `status_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mfa_request_poll(
    request: *const mfa_request,
    wait_ms: u32,
    status_out: *mut u32,
) -> mfa_result {
    guard(|| {
        if let Err(e) =
            non_null(request, "request").and_then(|_| non_null(status_out, "status_out"))
        {
            return e;
        }
        // SAFETY: checked non-null; the caller promises a live request.
        let shared = &unsafe { &*request }.shared;
        let slot = shared.lock();
        let (slot, _) = shared
            .done
            .wait_timeout_while(slot, Duration::from_millis(wait_ms.into()), |s| {
                matches!(s, Slot::Pending { .. })
            })
            .unwrap_or_else(|p| p.into_inner());
        let status = match &*slot {
            Slot::NotStarted => {
                return fail(
                    mfa_result::MFA_NOT_STARTED,
                    "request: not started; call mfa_request_start first",
                )
            }
            Slot::Pending { .. } => MFA_STATUS_PENDING,
            Slot::Done { status, .. } => *status,
        };
        // SAFETY: checked non-null; the caller promises it is writable.
        unsafe { *status_out = status };
        mfa_result::MFA_OK
    })
}

/// Cancels the request: a pending (or never started) request ends as Cancelled at once
/// and its HTTP call is dropped in the background. Idempotent; never blocks on the
/// network; a finished request keeps its outcome, and so does one whose answer is being
/// recorded as the cancel comes (the cancel then waits for that end, at most the audit
/// write bound, 2 s, plus 1 s). A request ends once: one outcome, one audit record, one
/// progress `done`. Returns `MFA_OK` or `MFA_NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `request` must be a live request.
#[no_mangle]
pub unsafe extern "C" fn mfa_request_cancel(request: *const mfa_request) -> mfa_result {
    guard(|| {
        if let Err(e) = non_null(request, "request") {
            return e;
        }
        // SAFETY: checked non-null; the caller promises a live request.
        unsafe { &*request }.cancel();
        mfa_result::MFA_OK
    })
}

/// Ends a pending (or never started) request now as `TimedOut` (failure kind `timeout`):
/// for a host whose own wait ran out (e.g. `Wait-MfaApproval -Timeout`). Like
/// `mfa_request_cancel` it never blocks, drops the HTTP calls in the background and
/// keeps a finished request's outcome; the engine writes the outcome and its audit line
/// (so both say TimedOut). Returns `MFA_OK` or `MFA_NULL_ARGUMENT`. Thread-safe. (ABI 4)
///
/// # Safety
/// `request` must be a live request.
#[no_mangle]
pub unsafe extern "C" fn mfa_request_expire(request: *const mfa_request) -> mfa_result {
    guard(|| {
        if let Err(e) = non_null(request, "request") {
            return e;
        }
        // SAFETY: checked non-null; the caller promises a live request.
        unsafe { &*request }.settle_early(true);
        mfa_result::MFA_OK
    })
}

/// Copies the finished request's outcome, a UTF-8 JSON object (no NUL), into `buf`.
/// Fields: `status` (`Approved`, `Denied`, `FraudReported`, `TimedOut`, `Failed`,
/// `Cancelled`, `Completed`), `approved`, `operation`, `provider`, `userName`, `result`,
/// `callResult` {`code`,`name`,`description`}, `error` {`code`,`description`},
/// `authenticationRequestId`, `failureKind`, `message`, `requireUserMatch`, `warnings`,
/// `data` (queries), `startedAtUnixMs`, `elapsedMs`, `httpCalls`, `auditId` (with an audit
/// trail: the id of the request's line); for approvals (ABI 4) also `require`, `needed`,
/// `decidedBy` (the approver whose result decided it: an answer, or that name's timeout or
/// failure that put the quorum out of reach; absent when the host ended the request by a
/// cancel or an expiry) and
/// `approvers`, one object per approver in request order: `userName`, `status`,
/// `approved`, `failureKind`, `message`, `result`, `callResult`, `error`,
/// `authenticationRequestId`, `elapsedMs`, `httpCalls`; ABI 5 adds `pushWithdrawn` at the
/// top and per approver: `true` (the provider confirmed the withdraw of a push left
/// waiting), `false` (it may still be on the phone: refused, failed, not answered within
/// the grace, or sent as a cancel ended the request, not waited for) or `null` (nothing
/// needed withdrawing, or the provider cannot withdraw). Only the top-level `status` and
/// `approved` decide; an approver's `approved` says whose approval was counted.
///
/// Returns `MFA_OK` (writes `buf` and `*len_out`), `MFA_BUFFER_TOO_SMALL` (writes only
/// `*len_out`, the needed length), `MFA_PENDING`, `MFA_NOT_STARTED` or
/// `MFA_NULL_ARGUMENT`. `buf` may be NULL when `buf_len` is 0. Thread-safe; may be
/// called any number of times.
///
/// # Safety
/// `request` must be a live request; `buf` writable for `buf_len` bytes; `len_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mfa_request_outcome(
    request: *const mfa_request,
    buf: *mut u8,
    buf_len: usize,
    len_out: *mut usize,
) -> mfa_result {
    guard(|| {
        if let Err(e) = non_null(request, "request").and_then(|_| non_null(len_out, "len_out")) {
            return e;
        }
        // SAFETY: checked non-null; the caller promises a live request.
        let slot = unsafe { &*request }.shared.lock();
        match &*slot {
            Slot::NotStarted => fail(mfa_result::MFA_NOT_STARTED, "request: not started"),
            Slot::Pending { .. } => fail(
                mfa_result::MFA_PENDING,
                "request: still pending; poll until it finishes",
            ),
            // SAFETY: the caller promises `buf`/`len_out` are writable.
            Slot::Done { json, .. } => unsafe { write_output(json, buf, buf_len, len_out) },
        }
    })
}

/// Frees a request. A pending request is cancelled first (its HTTP call is dropped in the
/// background), so freeing never leaves an approval running. With an audit trail, it waits
/// (at most 2 s) until a cancelled request's audit line is written. NULL is allowed; call once.
///
/// # Safety
/// `request` must be NULL or a pointer from `mfa_request_new` not yet freed, and no other
/// thread may use it during or after this call.
#[no_mangle]
pub unsafe extern "C" fn mfa_request_free(request: *mut mfa_request) {
    guard_void(|| {
        if !request.is_null() {
            // SAFETY: from Box::into_raw in mfa_request_new, freed once (caller contract).
            let request = unsafe { Box::from_raw(request) };
            request.cancel();
            request.wait_for_audit();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mfa_engine::testing::{BoxFuture, Provider};

    #[derive(Debug)]
    struct Panics;
    impl Provider for Panics {
        fn name(&self) -> &'static str {
            "panics"
        }
        fn run<'a>(&'a self, _: &'a Query, _: &'a Progress) -> BoxFuture<'a, Outcome> {
            Box::pin(async { panic!("provider bug") })
        }
    }

    #[test]
    fn a_panic_inside_the_task_settles_the_request_as_failed_internal() {
        let client = mfa_client {
            client: Client::with_provider(Arc::new(Panics), Arc::default(), true),
        };
        let json = br#"{"userName":"alice@contoso.com","timeoutSeconds":5}"#;
        let mut request: *mut mfa_request = std::ptr::null_mut();
        // SAFETY: valid pointers for the duration of each call.
        unsafe {
            assert_eq!(
                mfa_request_new(&client, json.as_ptr(), json.len(), &mut request),
                mfa_result::MFA_OK
            );
            assert_eq!(mfa_request_start(request), mfa_result::MFA_OK);
            let mut status = MFA_STATUS_PENDING;
            assert_eq!(
                mfa_request_poll(request, 5_000, &mut status),
                mfa_result::MFA_OK
            );
            assert_eq!(status, crate::result::MFA_STATUS_FAILED);
            let mut buf = vec![0u8; 4096];
            let mut len = 0usize;
            assert_eq!(
                mfa_request_outcome(request, buf.as_mut_ptr(), buf.len(), &mut len),
                mfa_result::MFA_OK
            );
            let outcome: serde_json::Value = serde_json::from_slice(&buf[..len]).unwrap();
            assert_eq!(outcome["failureKind"], "internal");
            assert_eq!(outcome["approved"], false);
            mfa_request_free(request);
        }
    }
}
