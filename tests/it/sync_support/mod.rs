//! Helpers for the sync tests: data folders opened in-process (the library, not the binary),
//! peers that trust each other, and bundles passed between them as bytes.

#![allow(dead_code)]

use harbour::domain::{LearnerRole, Reporter};
use harbour::keys::Passphrase;
use harbour::ops::incidents::{self, NewIncident};
use harbour::ops::learners::{self, NewLearner};
use harbour::store::schema;
use harbour::sync::{export, peers};
use harbour::{Harbour, Setup};
use rusqlite::types::Value;
use uuid::Uuid;

pub const PASSPHRASE: &str = "correct horse battery staple";

/// A data folder in a temporary directory, open.
pub struct Site {
    pub tmp: tempfile::TempDir,
    pub h: Option<Harbour>,
}

impl Site {
    pub fn new(centre: &str, coordinator: &str) -> Site {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let setup = Setup {
            organisation: "Northbridge Training".into(),
            centre_code: centre.into(),
            centre_name: format!("{centre} centre"),
            coordinator: coordinator.into(),
            role: "Designated Safeguarding Lead".into(),
            device_label: Some(format!("{centre} laptop")),
        };
        let (h, _) = Harbour::init(
            &tmp.path().join("data"),
            &setup,
            &Passphrase::new(PASSPHRASE.into()),
        )
        .expect("set up");
        Site { tmp, h: Some(h) }
    }

    pub fn h(&mut self) -> &mut Harbour {
        self.h.as_mut().expect("open")
    }

    pub fn hr(&self) -> &Harbour {
        self.h.as_ref().expect("open")
    }

    pub fn dir(&self) -> std::path::PathBuf {
        self.tmp.path().join("data")
    }

    pub fn id(&self) -> Uuid {
        self.hr().log().device().id
    }

    pub fn author(&self) -> Uuid {
        self.hr().log().device().author
    }

    /// Closes the folder (so its files can be compared byte for byte), then opens it again.
    pub fn close(&mut self) {
        self.h = None;
    }

    pub fn reopen(&mut self) {
        let h = Harbour::open(
            &self.dir(),
            harbour::Unlock::Passphrase(&Passphrase::new(PASSPHRASE.into())),
        )
        .expect("open");
        self.h = Some(h);
    }

    /// A bundle for `to` as bytes.
    pub fn bundle_for(&mut self, to: &[&Site]) -> Vec<u8> {
        let names: Vec<String> = to.iter().map(|s| s.id().to_string()).collect();
        let h = self.h();
        let peers = export::recipients(h, &names).expect("peers");
        peers::ensure_identity(h.log()).expect("identity");
        let cut = export::cut(h, &peers).expect("cut");
        let seq = export::next_bundle_seq(h).expect("seq");
        export::seal(h, &cut, &peers, seq).expect("seal")
    }

    pub fn take(&mut self, bytes: &[u8]) -> harbour::Result<harbour::sync::Imported> {
        harbour::sync::import::import_bytes(self.h(), bytes)
    }

    pub fn learner(&mut self, name: &str) -> Uuid {
        let centre: String = self
            .hr()
            .log()
            .conn()
            .query_row(
                "SELECT centre_code FROM devices WHERE id = ?1",
                [self.id().to_string()],
                |r| r.get(0),
            )
            .expect("centre");
        learners::add(
            self.h().log_mut(),
            NewLearner {
                name: name.into(),
                dob: chrono::NaiveDate::from_ymd_opt(2009, 3, 4).expect("date"),
                centre,
                employer: None,
                carers: vec![],
            },
        )
        .expect("learner")
    }

    pub fn incident(&mut self, learner: Uuid, account: &str) -> Uuid {
        incidents::open(
            self.h().log_mut(),
            NewIncident {
                learners: vec![(learner.to_string(), LearnerRole::Subject)],
                categories: vec!["cyberbullying".into()],
                account: account.into(),
                occurred_at: chrono::Utc::now() - chrono::Duration::days(1),
                reported_at: None,
                place: None,
                reporter: Reporter {
                    name: "Chris Tutor".into(),
                    job_title: "Assessor".into(),
                },
                centre: None,
                concerns_staff: None,
                first_actions: None,
                procedures: vec![],
            },
        )
        .expect("incident")
        .id
    }

    /// A new incident with one small evidence file (a screenshot, as text).
    pub fn incident_with_evidence(&mut self) -> harbour::ops::evidence::Captured {
        let l = self.learner("Jamie Test");
        let i = self.incident(l, "Screenshots of the posts");
        let file = self.tmp.path().join("shot.txt");
        std::fs::write(&file, b"a screenshot, as text for the test").expect("write");
        harbour::ops::evidence::add(
            self.h(),
            i,
            harbour::ops::evidence::NewEvidence {
                file,
                description: "Screenshot of the group chat".into(),
                ..Default::default()
            },
        )
        .expect("evidence")
    }

    pub fn tables(&self) -> Vec<(String, Vec<Vec<Value>>)> {
        tables(self.hr().log().conn())
    }
}

/// Every projection table, row by row.
pub fn tables(conn: &rusqlite::Connection) -> Vec<(String, Vec<Vec<Value>>)> {
    schema::PROJECTION_TABLES
        .iter()
        .map(|(t, order)| {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {t} ORDER BY {order}"))
                .expect("select");
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| r.get::<_, Value>(i))
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .expect("rows")
                .collect::<rusqlite::Result<Vec<_>>>()
                .expect("rows");
            (t.to_string(), rows)
        })
        .collect()
}

/// Makes every pair of sites trust each other.
pub fn introduce(sites: &mut [Site]) {
    let cards: Vec<_> = sites
        .iter()
        .map(|s| peers::own_card(s.hr().log()).expect("card"))
        .collect();
    for (i, s) in sites.iter_mut().enumerate() {
        for (j, c) in cards.iter().enumerate() {
            if i != j {
                peers::add(s.hr().log(), c, &c.fingerprint()).expect("add peer");
            }
        }
    }
}

/// Every file under the site's data folder, with its bytes.
pub fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            for (k, v) in snapshot(&p) {
                out.insert(format!("{}/{k}", e.file_name().to_string_lossy()), v);
            }
        } else {
            out.insert(
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(&p).expect("read"),
            );
        }
    }
    out
}

/// Two devices that know each other, MAN (Sam Example) and LDS (Alex Sample); on MAN, a
/// learner with an ordinary incident and an allegation about Alex, whose account says
/// "Quokka allegation that must not reach Alex", sent to LDS (where it arrives withheld).
/// Returns MAN, LDS, the learner and the allegation.
pub fn allegation_about_the_second_device() -> (Site, Site, Uuid, incidents::Opened) {
    let mut sites = vec![
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Alex Sample"),
    ];
    introduce(&mut sites);
    let mut b = sites.pop().expect("b");
    let mut a = sites.pop().expect("a");
    let from_b = b.bundle_for(&[&a]);
    a.take(&from_b).expect("from b");
    let jamie = a.learner("Jamie Test");
    a.incident(jamie, "An ordinary incident");
    let allegation = incidents::open(
        a.h().log_mut(),
        NewIncident {
            learners: vec![(jamie.to_string(), LearnerRole::Subject)],
            categories: vec!["allegation-staff".into()],
            account: "Quokka allegation that must not reach Alex".into(),
            occurred_at: chrono::Utc::now() - chrono::Duration::days(1),
            reported_at: None,
            place: None,
            reporter: Reporter {
                name: "Chris Tutor".into(),
                job_title: "Assessor".into(),
            },
            centre: None,
            concerns_staff: Some(b.author().to_string()),
            first_actions: None,
            procedures: vec![],
        },
    )
    .expect("allegation");
    let to_b = a.bundle_for(&[&b]);
    b.take(&to_b).expect("to b");
    (a, b, jamie, allegation)
}
