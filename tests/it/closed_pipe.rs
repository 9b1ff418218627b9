//! Output into a closed pipe (`harbour incident list | head -1`): the command stops quietly
//! with success instead of panicking.

use crate::common;

use std::process::{Command, Stdio};

use common::{open_incident, Folder, PASSPHRASE};

/// Runs `harbour` with its standard output a pipe whose reading end is closed before the
/// command writes anything (unlocking alone takes a tenth of a second or more). Returns the
/// exit status and standard error.
fn into_closed_pipe(f: &Folder, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(f.dir())
        .args(args)
        .env("HARBOUR_PASSPHRASE", PASSPHRASE)
        .env_remove("HARBOUR_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run harbour");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for harbour");
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn output_into_a_closed_pipe_stops_quietly() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    for _ in 0..3 {
        open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    }
    for args in [
        &["incident", "list"][..],
        &["--json", "incident", "list"][..],
        &["learner", "list"][..],
    ] {
        let (status, stderr) = into_closed_pipe(&f, args);
        assert!(
            !stderr.contains("panicked"),
            "harbour {args:?} panicked: {stderr}"
        );
        assert!(status.success(), "harbour {args:?} failed: {stderr}");
        assert_eq!(stderr, "", "harbour {args:?} complained");
    }

    // The same through a real shell pipeline.
    let script = format!(
        "\"{}\" --data-dir \"{}\" incident list | head -1",
        env!("CARGO_BIN_EXE_harbour"),
        f.dir().display()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .env("HARBOUR_PASSPHRASE", PASSPHRASE)
        .stdin(Stdio::null())
        .output()
        .expect("run sh");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
