//! The app as a coordinator gets it from the package: the installed binary
//! (`HARBOUR_APP_BINARY`, e.g. /usr/bin/harbour-app) and the installed `harbour` command line
//! beside it. Run by `./scripts/test-package` after `apt-get install ./…deb`, never against
//! the workspace's build.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::*;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the installed package and a display: run by ./scripts/test-package"]
async fn the_installed_app_opens_on_first_run_and_unlocks_a_folder_the_installed_cli_made() {
    let app = PathBuf::from(
        std::env::var_os("HARBOUR_APP_BINARY")
            .expect("HARBOUR_APP_BINARY: the installed app, e.g. /usr/bin/harbour-app"),
    );
    assert!(
        app.is_absolute() && app.is_file(),
        "{} is not an installed app",
        app.display()
    );
    assert!(
        !app.starts_with(repo()),
        "{} is the workspace's build, not the installed app",
        app.display()
    );
    let cli = app.with_file_name("harbour");
    let data = tempfile::tempdir().expect("temporary folder");

    // An empty data folder: the first-run screen, from the UI embedded in the installed app.
    let (driver, c) = start(&data.path().join("new")).await;
    wait_css(&c, "#org").await;
    assert_eq!(c.title().await.expect("title"), "Harbour");
    accessible(&c, "first-run (installed)").await;
    c.close().await.expect("close session");
    drop(driver);

    // A folder set up with the installed command line opens in the installed app.
    let folder = data.path().join("made-by-cli");
    let out = Command::new(&cli)
        .args(["--data-dir"])
        .arg(&folder)
        .args([
            "init",
            "--org",
            "Northbridge Training",
            "--centre",
            "MAN",
            "Manchester",
            "--coordinator",
            "Sam Example",
            "--role",
            "Designated Safeguarding Lead",
        ])
        .env("HARBOUR_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", cli.display()));
    assert!(
        out.status.success(),
        "harbour init: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_driver, c) = start(&folder).await;
    unlock(&c).await;
    assert_eq!(text_of(&c, "#open-cases").await.trim(), "0");
    c.close().await.expect("close session");
}
