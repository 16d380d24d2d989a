//! The audit file's path and what is at it: `auditPath` checked without touching the file
//! system, and the words for a file that is not a regular one.

use crate::check::ConfigError;
use std::path::Path;

/// Checks `auditPath` without touching the file system: an absolute path.
pub fn check_path(path: &str) -> Result<(), ConfigError> {
    crate::check::check_text("auditPath", path, true)?;
    if !Path::new(path).is_absolute() {
        return Err(ConfigError::new(
            "auditPath",
            "must be an absolute path (a service's working directory is not yours)",
        ));
    }
    Ok(())
}

/// The error `open` gives for a link it refused to follow (ELOOP on Unix).
pub(super) fn symlink_error() -> i32 {
    #[cfg(unix)]
    {
        libc::ELOOP
    }
    #[cfg(not(unix))]
    {
        -1
    }
}

/// What a non-regular file is, in words (the engine's one wording, `crate::file`).
pub(super) fn describe(kind: &std::fs::FileType) -> &'static str {
    crate::file::describe(kind)
}
