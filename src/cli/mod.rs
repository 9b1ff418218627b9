//! The `harbour` command line: parsing, unlocking, and one module per group of commands.

pub mod admin;
pub mod args;
pub mod backup;
pub mod clock;
pub mod consent;
pub mod evidence;
pub mod forms;
pub mod hint;
pub mod incident;
pub mod learner;
pub mod output;
pub mod report;
pub mod retention;
pub mod sar;
pub mod secrets;
pub mod sync;
pub mod transfer;

pub use secrets::open;
