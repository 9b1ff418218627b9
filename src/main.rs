//! `harbour`: the command-line face of Harbour's core, for coordinators and scripts.
//!
//! Every error is one plain sentence on standard error with a non-zero exit, and leaves the
//! data folder as it was.

mod cli;

use std::io::Write;

use clap::Parser;

use cli::args::{Cli, Command};
use cli::output::Out;

/// On Ctrl-C, a hang-up or a termination signal, removes the temporary files still being
/// written (a half-written pack beside its target holds evidence in plain form) before
/// exiting as the signal would. A `kill -9` cannot be caught: the next open cleans up.
#[cfg(unix)]
fn remove_unfinished_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            harbour_evidence::atomic::remove_unfinished();
            std::process::exit(128 + signal);
        }
    });
}

fn main() {
    #[cfg(unix)]
    remove_unfinished_on_signals();
    let args = Cli::parse();
    let out = Out { json: args.json };
    let dir = args
        .data_dir
        .clone()
        .unwrap_or_else(harbour::folder::default_dir);
    let pf = args.passphrase_file.as_ref();
    let result = match args.command {
        Command::Init(a) => cli::admin::init(&dir, pf, a, &out),
        Command::Learner(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::learner::run(&mut h, c, &out))
        }
        Command::Incident(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::incident::run(&mut h, c, &out))
        }
        Command::Org(c) => cli::open(&dir, pf).and_then(|mut h| cli::admin::org(&mut h, c, &out)),
        Command::Category(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::admin::category(&mut h, c, &out))
        }
        Command::Evidence(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::evidence::evidence(&mut h, c, &out))
        }
        Command::Procedure(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::evidence::procedure(&mut h, c, &out))
        }
        // Checking a pack needs no data folder, and must not open one.
        Command::Pack(cli::args::PackCmd::Verify {
            pack,
            pack_passphrase_file,
            expect,
        }) => cli::evidence::verify_pack(
            &pack,
            pack_passphrase_file.as_ref(),
            expect.as_deref(),
            &out,
        ),
        Command::Pack(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::evidence::pack(&mut h, c, &out))
        }
        Command::Transfer(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::transfer::run(&mut h, c, &out))
        }
        Command::Retention(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::retention::run(&mut h, c, &out))
        }
        Command::Sar(c) => cli::open(&dir, pf).and_then(|mut h| cli::sar::run(&mut h, c, &out)),
        Command::Verify => cli::open(&dir, pf).and_then(|h| cli::admin::verify(&h, &out)),
        Command::Passphrase(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::admin::passphrase(&mut h, c, &out))
        }
        Command::Recover(a) => cli::admin::recover(&dir, a, &out),
        Command::Keyring(c) => cli::open(&dir, pf).and_then(|h| cli::admin::keyring(&h, c, &out)),
        Command::Forms(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::forms::forms(&mut h, c, &out))
        }
        Command::Consent(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::consent::consent(&mut h, c, &out))
        }
        Command::Report(c) => cli::open(&dir, pf).and_then(|h| cli::report::report(&h, c, &out)),
        Command::RecoverySheet(a) => {
            cli::open(&dir, pf).and_then(|h| cli::report::recovery_sheet(&h, a, &out))
        }
        Command::Peer(c) => cli::open(&dir, pf).and_then(|mut h| cli::sync::peer(&mut h, c, &out)),
        Command::Sync(c) => cli::open(&dir, pf).and_then(|mut h| cli::sync::sync(&mut h, c, &out)),
        Command::Conflict(c) => {
            cli::open(&dir, pf).and_then(|mut h| cli::sync::conflict(&mut h, c, &out))
        }
        Command::Clock(c) => cli::open(&dir, pf).and_then(|h| cli::clock::run(&h, c, &out)),
        Command::Backup(c) => cli::backup::run(&dir, pf, c, &out),
        Command::Status => cli::open(&dir, pf).and_then(|h| cli::backup::status(&h, &out)),
    };
    // A clock far from the case log's is said once, after the command's own output; a
    // command refused because of it says so in its own sentence instead.
    if let Some(w) = cli::secrets::take_clock_warning() {
        if !matches!(result, Err(harbour::Error::ClockWrong(_))) {
            let _ = writeln!(std::io::stderr().lock(), "Warning: {w}");
        }
    }
    if let Err(e) = result {
        let e = harbour::folder::explain(&dir, e);
        let text = if out.json {
            cli::output::json_safe(
                &serde_json::json!({ "error": { "code": e.code(), "message": cli::hint::sentence(&e) } })
                    .to_string(),
            )
        } else {
            cli::output::error_text(&cli::hint::sentence(&e))
        };
        // Not `eprintln!`, which panics if standard error has been closed.
        let _ = writeln!(std::io::stderr().lock(), "{text}");
        std::process::exit(1);
    }
}
