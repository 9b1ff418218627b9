//! The actions both front ends offer, written once: the command line (`src/cli/`) parses its
//! arguments into these requests and prints the results; the app's commands
//! (`src-tauri/src/commands/`) pass them through. Anything the two must agree on — which
//! learners a print run covers, what is refused — is decided here and tested here, once.
//!
//! Requests carry what a person typed or chose (names, ids or references as text, dates as
//! `2026-09-07`); resolving them to records and refusing what does not fit is this layer's
//! work, so neither front end builds a core value itself.
//!
//! Actions move here one at a time from the front ends; those not yet here are still
//! orchestrated in each front end (see docs/architecture.md).

pub mod forms;
pub mod learners;
pub mod output;
pub mod sar;
