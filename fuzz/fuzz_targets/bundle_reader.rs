//! The bundle reader on arbitrary bytes: the outer layout (header, ciphertext, signature)
//! and the decrypted layout (manifest and evidence files) must refuse anything they do not
//! understand, never panic, never read out of bounds and never allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = harbour::sync::envelope::parse(data) {
        // What parses must describe exactly the bytes it came from.
        assert!(env.signed.len() + 64 == data.len());
        assert!(env.ciphertext.len() <= env.signed.len());
    }
    let _ = harbour::sync::payload::parse(data);
});
