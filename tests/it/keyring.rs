//! The operating system's keyring: remembering the key, opening without the passphrase,
//! forgetting it, and one plain sentence when no keyring service is there.
//!
//! The README's test command runs the tests inside a D-Bus session with an unlocked GNOME
//! keyring and sets HARBOUR_TEST_KEYRING=1, which makes the real-keyring test mandatory.

use crate::common;

use common::Folder;

const NO_BUS: (&str, &str) = (
    "DBUS_SESSION_BUS_ADDRESS",
    "unix:path=/nonexistent/harbour-test-bus",
);

#[test]
fn without_a_keyring_service_harbour_says_so_and_the_passphrase_works() {
    let f = Folder::new();
    f.init();
    let before = f.snapshot();
    let err = f.fails_with(
        &["keyring", "remember"],
        &[("HARBOUR_PASSPHRASE", common::PASSPHRASE), NO_BUS],
    );
    assert!(
        err.starts_with("This computer's keyring could not be used (")
            && err.ends_with("); Harbour will ask for the passphrase instead."),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    assert_eq!(f.snapshot(), before);
    let out = f.run_with(
        &["learner", "list"],
        &[("HARBOUR_PASSPHRASE", common::PASSPHRASE), NO_BUS],
    );
    assert!(out.status.success());
}

#[test]
fn the_real_keyring_remembers_and_forgets() {
    let required = std::env::var("HARBOUR_TEST_KEYRING").as_deref() == Ok("1");
    let f = Folder::new();
    f.init();
    let out = f.run(&["keyring", "remember"]);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !required,
            "the keyring should work in this test session: {err}"
        );
        eprintln!("No keyring service here ({err}); run the README's test command for the real-keyring test.");
        return;
    }
    // Opens with no passphrase at all: the key comes from the keyring.
    let listed = f.run_with(&["learner", "list"], &[]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    f.ok(&["keyring", "forget"]);
    let err = f.fails_with(&["learner", "list"], &[]);
    assert!(err.starts_with("Harbour needs the passphrase"), "{err}");
}
