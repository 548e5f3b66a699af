//! Reading a file appmux is given by path (options, project, keymap, theme, saved state)
//! without trusting what is there: only a regular file is read, it is opened non-blocking so a
//! FIFO or a device at that path cannot block the reader (the server, say) forever, and it is
//! read up to a size cap. This module owns that rule and its error wording, not the meaning of
//! any file.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use crate::units::format_size;

/// The largest config, project, keymap or theme file read: far beyond any real one.
pub const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// The whole of the regular file at `path`, at most `cap` bytes. A FIFO, socket, device or
/// directory is refused at once, without waiting for a writer.
pub fn read_regular(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    // The type of what was opened, not of what the path named a moment earlier.
    let meta = file.metadata()?;
    let kind = meta.file_type();
    let what = if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("a directory")
    } else if kind.is_fifo() {
        Some("a FIFO")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        Some("a device")
    };
    if let Some(what) = what {
        let message = format!("it is {what}, not a regular file");
        return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
    }
    let too_large = || {
        let message = format!("it is larger than {}", format_size(cap));
        io::Error::new(io::ErrorKind::InvalidData, message)
    };
    if meta.len() > cap {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow while it is read; the cap holds regardless.
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(&path, b"x = 1\n").unwrap();
        assert_eq!(read_regular(&path, 6).unwrap(), b"x = 1\n");
        let err = read_regular(&path, 5).unwrap_err();
        assert_eq!(err.to_string(), "it is larger than 5B");
    }

    #[test]
    fn fifos_and_directories_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("config.toml");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        // No writer ever opens the FIFO: a blocking open would wait here forever.
        let err = read_regular(&fifo, MAX_CONFIG_BYTES).unwrap_err();
        assert_eq!(err.to_string(), "it is a FIFO, not a regular file");
        let err = read_regular(dir.path(), MAX_CONFIG_BYTES).unwrap_err();
        assert_eq!(err.to_string(), "it is a directory, not a regular file");
    }
}
