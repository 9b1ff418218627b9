//! Harbour's integration tests, one program: each module is one area of behaviour, tested
//! through the library or the real `harbour` binary. One program instead of one per file
//! shares the set-up in `common` and `sync_support`, and links once instead of 25 times.

mod common;
mod sync_support;

mod at_rest;
mod backup;
mod case_log_cli;
mod clock;
mod closed_pipe;
mod conflict_copies;
mod consent;
mod damage;
mod dashboard;
mod dates;
mod determinism;
mod disk_full;
mod evidence;
mod fork;
mod forms;
mod forms_adapt;
mod hostile_text;
mod imagery_depth;
mod import_rows;
mod input_bounds;
mod keyring;
mod learner_add;
mod learner_import;
#[cfg(unix)]
mod leftovers;
#[cfg(unix)]
mod modes;
mod own_centre;
mod pack_forgery;
mod pack_progress;
mod packs;
mod procedures;
mod reports;
mod retention;
mod revocation;
mod sar;
mod sealed_packs;
mod single_process;
mod sync;
mod sync_folder;
mod sync_props;
mod sync_receive;
mod syncthing;
mod tamper;
mod transfer;
mod unlock;
mod urgent;
mod vectors;
mod withdraw;
