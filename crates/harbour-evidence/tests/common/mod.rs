//! Shared helpers for the integration tests. All data is fictional.
#![allow(dead_code)]

use harbour_evidence::MasterKey;
use rand::{RngCore, SeedableRng};
use std::io::{self, Write};

pub const ITEM_ID: &str = "0192f0c4-7a51-7d3e-9b2a-5c1e8d4f6a10";

pub fn master() -> MasterKey {
    MasterKey::from_bytes([7u8; 32])
}

pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut v = vec![0u8; len];
    rng.fill_bytes(&mut v);
    v
}

pub fn encrypt(plain: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    harbour_evidence::encrypt_stream(&master(), ITEM_ID, plain, &mut out).expect("encrypt");
    out
}

/// A writer that accepts `remaining` bytes and then fails as a full disk would.
pub struct FailAfter<W> {
    pub inner: W,
    pub remaining: usize,
}

impl<W: Write> Write for FailAfter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "No space left on device (simulated)",
            ));
        }
        let n = buf.len().min(self.remaining);
        let n = self.inner.write(&buf[..n])?;
        self.remaining -= n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
