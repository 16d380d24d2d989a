//! The audit file: one hash chain that any number of processes extend.
//!
//! Each append takes an exclusive lock on a lock file beside the audit file
//! (`<path>.lock`: `flock` on Unix, `LockFileEx` on Windows, through `fs4`), reads the last
//! line (at most [`MAX_CHAIN_LINE_BYTES`] from the end), checks that it is a valid chained
//! record (and, with a key, that its MAC verifies), and appends the new line after it in one
//! write. The lock is taken by polling until a deadline, never by a wait that could outlive
//! the request; nothing is written after the deadline.
//!
//! A file whose end is not a valid chain (an incomplete last line, a line that is not a
//! chained record, a MAC that does not verify, records written with or without a key when
//! this writer has none or one) is never extended: it is moved aside to
//! `<stem>.<yyyymmddThhmmssZ>.<ext>` (`-2`, `-3`, ... if taken) and a new chain starts at the
//! configured path, whose header names the moved file and why.

use super::chain::{self, Key, Tail, MAX_CHAIN_LINE_BYTES};
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why a file's end was not extended, for the new file's header and the warning.
#[derive(Debug, Clone)]
pub struct Broken {
    /// The name the broken file was moved to (in the same folder).
    pub moved_to: String,
    /// What was wrong at its end.
    pub reason: String,
}

/// What one append wrote.
#[derive(Debug)]
pub struct Appended {
    /// The lines written, in order (a header first when the file was new), without newlines.
    pub lines: Vec<String>,
    /// Set when the file's end was broken and a new chain was started.
    pub broken: Option<Broken>,
}

/// The audit file at a path.
#[derive(Debug)]
pub struct FileTrail {
    path: PathBuf,
    lock: PathBuf,
}

/// Options shared by the lock file and the audit file: never follow a symbolic link, never
/// wait on a FIFO or device, and (Windows) let no one delete or rename the file while it is
/// open here.
fn options(lock_file: bool) -> OpenOptions {
    let mut o = OpenOptions::new();
    o.read(true).create(true);
    if lock_file {
        o.write(true);
    } else {
        o.append(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt as _;
        /// FILE_FLAG_OPEN_REPARSE_POINT: open a link itself, not its target.
        const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
        o.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
        if lock_file {
            // FILE_SHARE_READ | FILE_SHARE_WRITE: the lock file cannot be deleted while held.
            o.share_mode(0x1 | 0x2);
        }
    }
    o
}

/// Opens `path` with `o`, refusing what is not a regular file; also gives its size.
fn open_regular(o: &OpenOptions, path: &Path, what: &str) -> std::io::Result<(File, u64)> {
    let file = o.open(path).map_err(|e| {
        if e.raw_os_error() == Some(super::path::symlink_error()) {
            std::io::Error::other(format!(
                "the {what} is a symbolic link; refusing to follow it"
            ))
        } else {
            e
        }
    })?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(std::io::Error::other(format!(
            "the {what} is {}, not a regular file",
            super::path::describe(&meta.file_type())
        )));
    }
    Ok((file, meta.len()))
}

/// The end of an open audit file: `Ok(None)` for an empty file, the tail of a valid chain,
/// or why it cannot be extended.
fn read_tail(
    file: &mut File,
    size: u64,
    key: Option<&Key>,
) -> std::io::Result<Result<Option<Tail>, String>> {
    if size == 0 {
        return Ok(Ok(None));
    }
    // Most lines are under a kilobyte: read 4 KiB from the end, and more only when the
    // last line is longer (up to the longest line a chain may hold).
    let mut chunk = Vec::new();
    let mut want = size.min(4096);
    let start = loop {
        file.seek(SeekFrom::Start(size - want))?;
        chunk.resize(want as usize, 0);
        file.read_exact(&mut chunk)?;
        if chunk.last() != Some(&b'\n') {
            return Ok(Err(
                "its last line is incomplete (no newline at its end: a truncated file or a torn write)"
                    .into(),
            ));
        }
        match chunk[..chunk.len() - 1].iter().rposition(|&b| b == b'\n') {
            Some(at) => break at + 1,
            None if want == size => break 0,
            None if want >= MAX_CHAIN_LINE_BYTES as u64 + 2 => {
                return Ok(Err(format!(
                    "its last line is longer than {MAX_CHAIN_LINE_BYTES} bytes"
                )))
            }
            None => want = size.min(MAX_CHAIN_LINE_BYTES as u64 + 2),
        }
    };
    let line = &chunk[start..chunk.len() - 1];
    let parsed = match chain::parse(line) {
        Ok(p) => p,
        Err(e) => {
            return Ok(Err(format!(
                "its last line is not a chained audit record: {e}"
            )))
        }
    };
    match (key, &parsed.mac) {
        (Some(k), Some(_)) if !parsed.mac_verifies(line, k) => {
            return Ok(Err(
                "its last record's MAC does not verify with this connection's audit key (another key, or an edited record)"
                    .into(),
            ))
        }
        (Some(_), None) => {
            return Ok(Err(
                "its records carry no MAC (written without an audit key), and this connection has one"
                    .into(),
            ))
        }
        (None, Some(_)) => {
            return Ok(Err(
                "its records carry a MAC (written with an audit key), and this connection has none"
                    .into(),
            ))
        }
        _ => {}
    }
    Ok(Ok(Some(Tail {
        seq: parsed.seq,
        hash: chain::line_hash(line),
    })))
}

/// `audit.jsonl` -> `audit.20261207T093000Z.jsonl` (then `-2`, `-3`, ...), a name not taken.
fn aside_name(path: &Path, unix_ms: u64) -> Option<PathBuf> {
    let stamp: String = mfa_protocol::time::rfc3339_ms(unix_ms)
        .chars()
        .take(19)
        .filter(|c| !matches!(c, '-' | ':'))
        .collect::<String>()
        + "Z";
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
    (1..=100).find_map(|n| {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let name = match &ext {
            Some(e) => format!("{stem}.{stamp}{suffix}.{e}"),
            None => format!("{stem}.{stamp}{suffix}"),
        };
        let candidate = path.with_file_name(name);
        (std::fs::symlink_metadata(&candidate).is_err()).then_some(candidate)
    })
}

impl FileTrail {
    /// The trail at `path` (checked by the configuration).
    pub fn new(path: PathBuf) -> Self {
        let mut lock = path.clone().into_os_string();
        lock.push(".lock");
        Self {
            path,
            lock: PathBuf::from(lock),
        }
    }

    /// The lock file's path (`<path>.lock`).
    pub fn lock_path(&self) -> &Path {
        &self.lock
    }

    /// Takes the lock, polling until `deadline`.
    fn lock(&self, deadline: Instant) -> std::io::Result<File> {
        let (file, _) = open_regular(&options(true), &self.lock, "audit lock file")?;
        let mut pause = Duration::from_millis(1);
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => return Ok(file),
                Err(fs4::TryLockError::WouldBlock) => {}
                Err(fs4::TryLockError::Error(e)) => return Err(e),
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "another writer held the audit file's lock ({}) past the write's time limit",
                        self.lock.display()
                    ),
                ));
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// Appends `record` (one JSON object, no newline) as the next chained line, preceded by a
    /// header (`header(broken)` gives its record) when the file is new or was moved aside.
    /// Blocking; gives up at `deadline` without writing.
    pub fn append(
        &self,
        record: &str,
        key: Option<&Key>,
        header: &dyn Fn(Option<&Broken>) -> String,
        unix_ms: u64,
        deadline: Instant,
    ) -> std::io::Result<Appended> {
        let _lock = self.lock(deadline)?;
        let (mut file, size) = open_regular(&options(false), &self.path, "audit path")?;
        let mut broken = None;
        let tail = match read_tail(&mut file, size, key)? {
            Ok(tail) => tail,
            Err(reason) => {
                drop(file);
                let aside = aside_name(&self.path, unix_ms).ok_or_else(|| {
                    std::io::Error::other(format!(
                        "the audit file's end is not a valid chain ({reason}), and no free name was found to move it aside"
                    ))
                })?;
                std::fs::rename(&self.path, &aside).map_err(|e| {
                    std::io::Error::other(format!(
                        "the audit file's end is not a valid chain ({reason}), and moving it aside to {} failed ({e}); move it yourself",
                        aside.display()
                    ))
                })?;
                let (fresh, size) = open_regular(&options(false), &self.path, "audit path")?;
                file = fresh;
                if size != 0 {
                    return Err(std::io::Error::other(
                        "another program wrote to the audit path while it was being moved aside",
                    ));
                }
                broken = Some(Broken {
                    moved_to: aside
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    reason,
                });
                None
            }
        };
        let mut lines = Vec::with_capacity(2);
        let tail = match tail {
            Some(t) => t,
            None => {
                let line = chain::chain(&header(broken.as_ref()), None, key);
                let t = Tail {
                    seq: 0,
                    hash: chain::line_hash(line.as_bytes()),
                };
                lines.push(line);
                t
            }
        };
        lines.push(chain::chain(record, Some(&tail), key));
        let mut bytes = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for l in &lines {
            bytes.extend_from_slice(l.as_bytes());
            bytes.push(b'\n');
        }
        if Instant::now() >= deadline {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the audit write ran past its time limit before writing",
            ));
        }
        file.write_all(&bytes)?;
        Ok(Appended { lines, broken })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aside_name_keeps_the_extension_and_is_free() {
        let dir = std::env::temp_dir().join(format!("mfa-aside-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.jsonl");
        let ms = 1_796_635_800_123; // 2026-12-07T09:30:00.123Z
        let first = aside_name(&path, ms).unwrap();
        assert_eq!(first.file_name().unwrap(), "audit.20261207T093000Z.jsonl");
        std::fs::write(&first, "").unwrap();
        let second = aside_name(&path, ms).unwrap();
        assert_eq!(
            second.file_name().unwrap(),
            "audit.20261207T093000Z-2.jsonl"
        );
        assert_eq!(
            aside_name(&dir.join("trail"), ms)
                .unwrap()
                .file_name()
                .unwrap(),
            "trail.20261207T093000Z"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
