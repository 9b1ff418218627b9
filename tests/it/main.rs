//! Harbour's integration tests, one program: each module is one area of behaviour, tested
//! through the library or the real `harbour` binary. One program instead of one per file
//! shares the set-up in `common` and `sync_support`, and links once instead of 25 times.

mod common;
mod sync_support;

mod at_rest;
mod case_log_cli;
mod closed_pipe;
mod consent;
mod dashboard;
mod determinism;
mod disk_full;
mod evidence;
mod forms;
mod forms_adapt;
mod imagery_depth;
mod keyring;
mod learner_import;
mod own_centre;
mod pack_progress;
mod packs;
mod procedures;
mod reports;
mod sealed_packs;
mod single_process;
mod sync;
mod sync_folder;
mod sync_props;
mod sync_receive;
mod tamper;
mod transfer;
mod unlock;
