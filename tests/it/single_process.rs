//! Only one process may hold a data folder open.

use crate::common;

use common::{Folder, PASSPHRASE};
use harbour::keys::Passphrase;
use harbour::{Harbour, Unlock};

#[test]
fn a_second_process_is_refused_and_touches_nothing() {
    let f = Folder::new();
    f.init();
    f.add_learner("Alex Example", "2009-04-17");
    let holder = Harbour::open(
        &f.dir(),
        Unlock::Passphrase(&Passphrase::new(PASSPHRASE.into())),
    )
    .expect("first open");
    let before = f.snapshot();
    let err = f.fails(&[
        "learner",
        "add",
        "--name",
        "Jo Sample",
        "--dob",
        "2010-01-01",
        "--centre",
        "MAN",
    ]);
    assert!(err.starts_with("Harbour is already open"), "{err}");
    assert_eq!(
        f.snapshot(),
        before,
        "the refused process changed the folder"
    );
    drop(holder);
    // Once the first closes, the folder opens again and the refused learner is not there.
    let list = f.ok(&["learner", "list"]);
    assert!(
        list.contains("Alex Example") && !list.contains("Jo Sample"),
        "{list}"
    );
}

#[test]
fn the_same_process_cannot_open_a_folder_twice() {
    let f = Folder::new();
    f.init();
    let p = Passphrase::new(PASSPHRASE.into());
    let _first = Harbour::open(&f.dir(), Unlock::Passphrase(&p)).expect("first");
    assert!(matches!(
        Harbour::open(&f.dir(), Unlock::Passphrase(&p)),
        Err(harbour::Error::AlreadyOpen(_))
    ));
}
