//! The file under a pack being written, which stops writing once the pack is doomed.
//!
//! The `zip` crate finishes an archive when its writer is dropped, and prints to standard
//! error if that fails. A pack that fails part-way (a full disk, a changed evidence file) is
//! dropped and its partial file removed, so finishing it is wasted work, and on a full disk
//! it fails and prints a second, technical message after Harbour's own plain sentence. This
//! writer therefore switches to discarding everything (while keeping track of the position,
//! so the ZIP writer's arithmetic still holds) after its first failure, or when the pack
//! being built is dropped unfinished. It remembers a failure, so a pack can never be
//! committed after one.
//!
//! The file is written either as it is (a plain ZIP, which the ZIP writer may seek back
//! into) or through an age passphrase encryption stream (which cannot seek, so the ZIP is
//! then written in streaming form; see [`crate::sealed`]).

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Shared between the writer and whoever decides the pack is doomed.
#[derive(Default)]
pub(crate) struct Switch {
    discarding: AtomicBool,
    failed: AtomicBool,
}

impl Switch {
    /// From now on, nothing more is written.
    pub(crate) fn discard(&self) {
        self.discarding.store(true, Ordering::SeqCst);
    }

    fn discarding(&self) -> bool {
        self.discarding.load(Ordering::SeqCst)
    }

    /// Whether a write, flush or seek has ever failed.
    pub(crate) fn failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    fn fail(&self) {
        self.failed.store(true, Ordering::SeqCst);
        self.discard();
    }
}

/// Switches to discarding when dropped: a field of the pack builder, declared before the
/// ZIP writer so that it is dropped first.
pub(crate) struct DiscardOnDrop(pub(crate) Arc<Switch>);

impl Drop for DiscardOnDrop {
    fn drop(&mut self) {
        self.0.discard();
    }
}

/// Where the bytes go: the file itself, or an age encryption stream into it.
enum Inner {
    Plain(BufWriter<File>),
    Sealed(age::stream::StreamWriter<BufWriter<File>>),
}

impl Write for Inner {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Inner::Plain(w) => w.write(buf),
            Inner::Sealed(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Inner::Plain(w) => w.flush(),
            Inner::Sealed(w) => w.flush(),
        }
    }
}

/// A buffered file that discards everything once its [`Switch`] says so.
pub(crate) struct PackFile {
    inner: Inner,
    switch: Arc<Switch>,
    pos: u64,
    len: u64,
}

impl PackFile {
    /// `file` must be empty.
    pub(crate) fn new(file: File, switch: Arc<Switch>) -> Self {
        Self {
            inner: Inner::Plain(BufWriter::with_capacity(1 << 20, file)),
            switch,
            pos: 0,
            len: 0,
        }
    }

    /// Writes through an age encryption stream (its header is written at once); the file
    /// must be empty. Such a file cannot seek.
    pub(crate) fn sealed(
        file: File,
        switch: Arc<Switch>,
        encryptor: age::Encryptor,
    ) -> io::Result<Self> {
        let stream = encryptor.wrap_output(BufWriter::with_capacity(1 << 20, file))?;
        Ok(Self {
            inner: Inner::Sealed(stream),
            switch,
            pos: 0,
            len: 0,
        })
    }

    fn advance(&mut self, n: usize) {
        self.pos += n as u64;
        self.len = self.len.max(self.pos);
    }

    fn check<T>(&self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            if e.kind() != io::ErrorKind::Interrupted {
                self.switch.fail();
            }
        }
        result
    }

    /// Writes out the buffer and gives back the file.
    pub(crate) fn into_inner(self) -> io::Result<File> {
        if self.switch.failed() {
            return Err(io::Error::other("an earlier write to the pack failed"));
        }
        let switch = Arc::clone(&self.switch);
        let buffered = match self.inner {
            Inner::Plain(w) => w,
            // Writes the last encrypted chunk, which marks the end of the stream.
            Inner::Sealed(w) => w.finish().inspect_err(|_| switch.fail())?,
        };
        buffered.into_inner().map_err(|e| {
            switch.fail();
            e.into_error()
        })
    }
}

impl Write for PackFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.switch.discarding() {
            self.advance(buf.len());
            return Ok(buf.len());
        }
        let n = self.inner.write(buf);
        let n = self.check(n)?;
        self.advance(n);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.switch.discarding() {
            return Ok(());
        }
        let flushed = self.inner.flush();
        self.check(flushed)
    }
}

impl Seek for PackFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        if self.switch.discarding() {
            let target = match to {
                SeekFrom::Start(p) => Some(p),
                SeekFrom::Current(d) => self.pos.checked_add_signed(d),
                SeekFrom::End(d) => self.len.checked_add_signed(d),
            };
            self.pos = target.ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "seek before the start")
            })?;
            return Ok(self.pos);
        }
        let sought = match &mut self.inner {
            Inner::Plain(w) => w.seek(to),
            // Only asking where we are: the ZIP writer's streaming mode never seeks.
            Inner::Sealed(_) => match to {
                SeekFrom::Current(0) => Ok(self.pos),
                _ => Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "an encrypted pack cannot seek",
                )),
            },
        };
        self.pos = self.check(sought)?;
        self.len = self.len.max(self.pos);
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discarding_keeps_the_position_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        let switch = Arc::new(Switch::default());
        let mut f = PackFile::new(File::create(&path).expect("create"), Arc::clone(&switch));
        f.write_all(b"hello").expect("write");
        switch.discard();
        f.write_all(b" world").expect("discarded");
        assert_eq!(f.stream_position().expect("seek"), 11);
        assert_eq!(f.seek(SeekFrom::End(-1)).expect("seek"), 10);
        assert_eq!(f.seek(SeekFrom::Start(2)).expect("seek"), 2);
        assert!(!switch.failed());
        drop(f);
        assert_eq!(std::fs::read(&path).expect("read"), b"hello");
    }
}
