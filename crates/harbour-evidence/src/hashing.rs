//! Small adaptors that hash and count bytes as they pass through, so files
//! of any size can be hashed while they are streamed rather than loaded.

use sha2::{Digest, Sha256};
use std::io::{self, Write};

/// A running SHA-256 and byte count.
#[derive(Default)]
pub(crate) struct Tally {
    hasher: Sha256,
    size: u64,
}

impl Tally {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
    }

    /// Returns (size in bytes, lower-case hex SHA-256).
    pub(crate) fn finish(self) -> (u64, String) {
        (self.size, hex::encode(self.hasher.finalize()))
    }
}

/// Passes writes through to `inner`, tallying exactly the bytes accepted.
pub(crate) struct TallyWriter<W> {
    pub(crate) inner: W,
    pub(crate) tally: Tally,
}

impl<W: Write> TallyWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            tally: Tally::default(),
        }
    }
}

impl<W: Write> Write for TallyWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.tally.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads until `buf` is full or the reader reports end of file, retrying on
/// interruption. Returns how many bytes were read.
pub(crate) fn read_full(reader: &mut impl io::Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
