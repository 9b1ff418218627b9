//! Nothing readable at rest: distinctive text never appears in any file of the data folder,
//! while Harbour is open (WAL and all) or after it closes.

use crate::common;

use common::{contains, snapshot, Folder, PASSPHRASE};
use harbour::domain::{LearnerRole, Reporter};
use harbour::keys::Passphrase;
use harbour::ops::incidents::{self, NewIncident};
use harbour::ops::learners::{self, NewLearner};
use harbour::{Harbour, Setup};

const NAME: &str = "Zebedee Quillfeather";
const PHRASE: &str = "purple walrus timetable";

#[test]
fn no_plaintext_in_any_file() {
    let f = Folder::new();
    let setup = Setup {
        organisation: "Northbridge Training".into(),
        centre_code: "MAN".into(),
        centre_name: "Manchester".into(),
        coordinator: "Sam Example".into(),
        role: "Designated Safeguarding Lead".into(),
        device_label: None,
    };
    let (mut h, _recovery) =
        Harbour::init(&f.dir(), &setup, &Passphrase::new(PASSPHRASE.into())).expect("init");
    let log = h.log_mut();
    let learner = learners::add(
        log,
        NewLearner {
            name: NAME.into(),
            dob: harbour::domain::time::parse_date("2009-04-17").expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        },
    )
    .expect("learner");
    incidents::open(
        log,
        NewIncident {
            learners: vec![(learner.to_string(), LearnerRole::Subject)],
            categories: vec!["cyberbullying".into()],
            account: format!("They said the {PHRASE} was a joke"),
            occurred_at: harbour::domain::time::parse_instant("2026-11-20T15:30").expect("time"),
            reported_at: None,
            place: Some("Group chat".into()),
            reporter: Reporter::parse("Chris Tutor, Assessor").expect("reporter"),
            centre: None,
            concerns_staff: None,
            first_actions: None,
            procedures: vec![],
        },
    )
    .expect("incident");

    // The search index finds it, so the text really is stored…
    let found =
        harbour::read::search::search(h.log().conn(), h.log().device().author, "walrus", 10)
            .expect("search");
    assert_eq!(found.len(), 1);

    // …but no file holds it, with Harbour still open (the WAL holds the newest writes).
    let check = |files: &std::collections::BTreeMap<String, Vec<u8>>| {
        assert!(files.contains_key("harbour.db"));
        for (name, bytes) in files {
            for needle in [
                NAME,
                PHRASE,
                "Zebedee",
                "walrus",
                "Northbridge",
                "Sam Example",
            ] {
                assert!(
                    !contains(bytes, needle.as_bytes()),
                    "{needle} found in {name}"
                );
            }
            assert!(
                !contains(bytes, b"SQLite format 3"),
                "{name} has a plain SQLite header"
            );
        }
    };
    let open_files = snapshot(&f.dir());
    assert!(
        open_files.contains_key("harbour.db-wal"),
        "expected a WAL file while open"
    );
    check(&open_files);
    drop(h);
    check(&snapshot(&f.dir()));
}
