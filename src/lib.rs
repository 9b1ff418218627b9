//! Harbour's core: an encrypted, append-only case log of online-safety incidents for the
//! safeguarding coordinators of training centres.
//!
//! Everything Harbour does is here, reachable from the `harbour` command-line tool and
//! from the desktop app, which knows nothing the core does not. The core knows nothing of any
//! window.

pub mod api;
pub mod backup;
pub mod code;
pub mod domain;
pub mod error;
pub mod folder;
pub mod fsutil;
pub mod keys;
pub mod leftovers;
pub mod limits;
pub mod log;
pub mod ops;
pub mod print;
pub mod read;
pub mod store;
pub mod sync;
pub mod synthetic;

pub use code::Code;
pub use error::{Error, Result};
pub use folder::{Harbour, Setup, Unlock};
