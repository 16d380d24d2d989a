//! The one bounded reader for every file named in a configuration (`caCertificateFile`,
//! `clientCertificateFile`, `clientKeyFile`, `responseSigningKeyFile`): a regular file only
//! (a FIFO, a device, a folder or a socket is refused by its metadata, before and after
//! opening; on Unix the open never waits on a FIFO), at most `limit` bytes (read at most
//! `limit + 1`), and a message naming the field, the limit and what to give.

use crate::check::ConfigError;
use std::io::Read as _;
use zeroize::Zeroizing;

/// The most a certificate, CA bundle, PKCS#12 or PEM key file may hold (a system's whole CA
/// bundle is about 220 KiB).
pub(crate) const MAX_CERTIFICATE_FILE_BYTES: u64 = 1024 * 1024;

/// What a non-regular file is, in words (also the audit file's words).
pub(crate) fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// `limit` in words: "64 KiB", "1 MiB".
fn size_words(limit: u64) -> String {
    if limit >= 1024 * 1024 && limit.is_multiple_of(1024 * 1024) {
        format!("{} MiB", limit / (1024 * 1024))
    } else {
        format!("{} KiB", limit / 1024)
    }
}

/// The bytes of the regular file at `path`, at most `limit` of them, for the configuration
/// field `field`; `give` says what the field wants ("a PEM CA certificate file"). The bytes
/// are zeroized when dropped (key files pass through here).
pub(crate) fn read_bounded(
    field: &str,
    path: &str,
    limit: u64,
    give: &str,
) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
    let refuse = |what: String| ConfigError::new(field, format!("'{path}' {what}; give {give}"));
    let regular = |kind: &std::fs::FileType| {
        if kind.is_file() {
            Ok(())
        } else {
            Err(refuse(format!("is {}, not a regular file", describe(kind))))
        }
    };
    let too_big = || refuse(format!("is larger than {}", size_words(limit)));
    // Before opening: a FIFO, a device or a folder is refused without being opened.
    let meta = std::fs::metadata(path)
        .map_err(|e| ConfigError::new(field, format!("cannot read '{path}': {e}")))?;
    regular(&meta.file_type())?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Never wait on a FIFO swapped in after the check above.
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = options
        .open(path)
        .map_err(|e| ConfigError::new(field, format!("cannot read '{path}': {e}")))?;
    // After opening: what was opened is what is read.
    let meta = file
        .metadata()
        .map_err(|e| ConfigError::new(field, format!("cannot read '{path}': {e}")))?;
    regular(&meta.file_type())?;
    if meta.len() > limit {
        return Err(too_big());
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(meta.len() as usize));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ConfigError::new(field, format!("cannot read '{path}': {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("mfa-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_regular_file_within_the_limit_is_read_whole_and_one_byte_more_is_refused() {
        let d = dir("limit");
        let at = d.join("at.pem");
        std::fs::write(&at, vec![b'a'; 1024]).unwrap();
        let bytes = read_bounded("f", at.to_str().unwrap(), 1024, "x").unwrap();
        assert_eq!(bytes.len(), 1024);
        let over = d.join("over.pem");
        std::fs::write(&over, vec![b'a'; 1025]).unwrap();
        let e = read_bounded(
            "caCertificateFile",
            over.to_str().unwrap(),
            1024,
            "a PEM file",
        )
        .unwrap_err();
        assert_eq!(e.field, "caCertificateFile");
        assert!(
            e.problem.contains("larger than 1 KiB") && e.problem.contains("give a PEM file"),
            "{e}"
        );
    }

    #[test]
    fn a_folder_is_refused_by_name() {
        let d = dir("folder");
        let e = read_bounded("clientKeyFile", d.to_str().unwrap(), 1024, "a PEM key").unwrap_err();
        assert!(e.problem.contains("is a folder, not a regular file"), "{e}");
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let e = read_bounded("clientKeyFile", "/nonexistent/k.pem", 1024, "a key").unwrap_err();
        assert!(
            e.problem.contains("cannot read '/nonexistent/k.pem'"),
            "{e}"
        );
    }

    #[test]
    fn the_size_words_are_exact() {
        assert_eq!(size_words(64 * 1024), "64 KiB");
        assert_eq!(size_words(1024 * 1024), "1 MiB");
    }
}
