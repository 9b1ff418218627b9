//! Applying the same events in any order gives the same tables.
//!
//! Several simulated devices (each a real SQLCipher database in memory with its own signing
//! key and a skewed clock) make random changes through the same operations the command line
//! uses, and now and then take in each other's events. At the end each device takes in
//! everyone's events in a random order, in random batches, with duplicates; every device must
//! then hold identical tables, equal to a rebuild from the log.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use harbour::domain::{Agency, LearnerRole, Reporter, RiskLevel};
use harbour::keys::DataKey;
use harbour::log::hlc::Clock;
use harbour::log::{Body, Event};
use harbour::ops::incidents::{self, NewIncident};
use harbour::ops::learners::{self, NewLearner};
use harbour::store::{db, schema, CaseLog};
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rusqlite::types::Value;
use uuid::Uuid;

/// A clock that is the real clock plus a fixed skew, so devices disagree about the time.
struct Skewed(Arc<AtomicI64>);

impl Clock for Skewed {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.0.load(Ordering::Relaxed)
    }
}

fn device(author: Uuid, skew_ms: i64) -> CaseLog {
    let conn = db::open_in_memory(&DataKey::generate()).expect("database");
    CaseLog::create(conn, author, "Simulated laptop", None)
        .expect("device")
        .with_clock(Box::new(Skewed(Arc::new(AtomicI64::new(skew_ms)))))
}

/// Every projection table, row by row.
fn tables(log: &CaseLog) -> Vec<(String, Vec<Vec<Value>>)> {
    schema::PROJECTION_TABLES
        .iter()
        .map(|(t, order)| {
            let mut stmt = log
                .conn()
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

fn incident_ids(log: &CaseLog) -> Vec<Uuid> {
    let mut stmt = log
        .conn()
        .prepare("SELECT id FROM incidents ORDER BY id")
        .expect("select");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("ids")
        .map(|r| Uuid::parse_str(&r.expect("id")).expect("uuid"))
        .collect()
}

fn learner_ids(log: &CaseLog) -> Vec<String> {
    let mut stmt = log
        .conn()
        .prepare("SELECT id FROM learners ORDER BY id")
        .expect("select");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("ids")
        .map(|r| r.expect("id"))
        .collect()
}

fn transfer_ids(log: &CaseLog) -> Vec<Uuid> {
    let mut stmt = log
        .conn()
        .prepare("SELECT id FROM transfers ORDER BY id")
        .expect("select");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("ids")
        .map(|r| Uuid::parse_str(&r.expect("id")).expect("uuid"))
        .collect()
}

fn entry_ids(log: &CaseLog, incident: Uuid) -> Vec<String> {
    let mut stmt = log
        .conn()
        .prepare("SELECT event_id FROM chronology WHERE incident_id = ?1 ORDER BY event_id")
        .expect("select");
    stmt.query_map([incident.to_string()], |r| r.get::<_, String>(0))
        .expect("ids")
        .map(|r| r.expect("id"))
        .collect()
}

/// One random change on one device; changes that the device's own checks refuse (closing a
/// closed case, say) are simply skipped, as a person would be told no.
fn act(log: &mut CaseLog, rng: &mut impl Rng, n: u32) {
    let incidents_known = incident_ids(log);
    let learners_known = learner_ids(log);
    let pick = |rng: &mut dyn rand::RngCore, v: &[Uuid]| v[rng.gen_range(0..v.len())];
    match rng.gen_range(0..16) {
        0 | 1 => {
            let _ = learners::add(
                log,
                NewLearner {
                    name: format!("Learner {n}"),
                    dob: chrono::NaiveDate::from_ymd_opt(
                        2005 + (n % 10) as i32,
                        1 + n % 12,
                        1 + n % 28,
                    )
                    .expect("date"),
                    centre: "MAN".into(),
                    employer: None,
                    carers: vec![],
                },
            );
        }
        2 | 3 if !learners_known.is_empty() => {
            let l = learners_known[rng.gen_range(0..learners_known.len())].clone();
            let _ = incidents::open(
                log,
                NewIncident {
                    learners: vec![(l, LearnerRole::Subject)],
                    categories: vec![["cyberbullying", "gambling", "grooming"]
                        [rng.gen_range(0..3)]
                    .into()],
                    account: format!("Account number {n}"),
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
            );
        }
        4 if !incidents_known.is_empty() => {
            let _ = incidents::note(log, pick(rng, &incidents_known), &format!("Note {n}"));
        }
        5 if !incidents_known.is_empty() => {
            let i = pick(rng, &incidents_known);
            let entries = entry_ids(log, i);
            if let Some(e) = entries.choose(rng) {
                let _ = incidents::correct(log, i, e, &format!("Corrected {n}"), "Misheard");
            }
        }
        6 if !incidents_known.is_empty() => {
            let level = RiskLevel::ALL[rng.gen_range(0..RiskLevel::ALL.len())];
            let _ = incidents::set_risk(
                log,
                pick(rng, &incidents_known),
                level,
                &format!("Reason {n}"),
            );
        }
        7 if !incidents_known.is_empty() => {
            let i = pick(rng, &incidents_known);
            if incidents::close(log, i, "Resolved", &format!("Closed {n}")).is_err() {
                let _ = incidents::reopen(log, i, &format!("Reopened {n}"));
            }
        }
        8 if !incidents_known.is_empty() => {
            let _ = incidents::refer(
                log,
                pick(rng, &incidents_known),
                Agency::Police,
                harbour::domain::time::today(),
                "Sam Example",
                Some("REF-1"),
            );
        }
        10 if !learners_known.is_empty() => {
            // A learner's file sent to another setting (the pack itself is not needed here).
            let l = learners_known[rng.gen_range(0..learners_known.len())].clone();
            let _ = log.append(harbour::log::Body::TransferSent {
                transfer_id: Uuid::now_v7(),
                learner_id: Uuid::parse_str(&l).expect("uuid"),
                to_setting: format!("Setting {n}"),
                sent_on: harbour::domain::time::today(),
                pack_file: format!("transfer-{n}.zip.age"),
                pack_sha256: format!("{n:064x}"),
            });
        }
        11 => {
            // Its receipt, possibly recorded on two devices: the last in the log's order counts.
            let ids = transfer_ids(log);
            if let Some(t) = ids.choose(rng) {
                let _ = harbour::ops::transfers::record_receipt(
                    log,
                    *t,
                    harbour::domain::time::today(),
                    Some(&format!("Receiver {n}")),
                );
            }
        }
        9 if incidents_known.len() >= 2 => {
            let a = pick(rng, &incidents_known);
            let b = pick(rng, &incidents_known);
            if a != b {
                let _ = incidents::link(log, a, &b.to_string(), None);
            }
        }
        12 => {
            // Reword the photo and video form with the next version. Two devices doing this
            // at once give two different forms with the same version: every device must
            // keep the same one.
            let mut form =
                harbour::domain::forms::find_in(log.conn(), "photo-video").expect("form");
            let minor: u32 = form
                .version
                .rsplit('.')
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(1);
            form.version = format!("2026.{}", minor + 1);
            form.title = format!("Photographs and video ({n})");
            let text = harbour::domain::form_templates::to_toml(&form).expect("toml");
            let _ = harbour::ops::forms::adapt(log, &text);
        }
        13 if !learners_known.is_empty() => {
            // A legal hold on a learner's file, perhaps on two devices at once.
            let l = learners_known[rng.gen_range(0..learners_known.len())].clone();
            let file = harbour::log::RecordRef::LearnerFile(Uuid::parse_str(&l).expect("uuid"));
            let _ = harbour::ops::retention::hold(log, file, &format!("Inquiry {n}"));
        }
        14 if !learners_known.is_empty() => {
            // Lifting it, which a device can do only for holds it has received.
            let l = learners_known[rng.gen_range(0..learners_known.len())].clone();
            let file = harbour::log::RecordRef::LearnerFile(Uuid::parse_str(&l).expect("uuid"));
            let _ = harbour::ops::retention::lift(log, file, &format!("Reported {n}"));
        }
        15 if !learners_known.is_empty() => {
            // A review: keep until a later date, or destroy early (refused while held here;
            // a hold placed elsewhere at the same time overrides it on every device).
            let l = learners_known[rng.gen_range(0..learners_known.len())].clone();
            let file = harbour::log::RecordRef::LearnerFile(Uuid::parse_str(&l).expect("uuid"));
            let today = harbour::domain::time::today();
            let decision = if rng.gen_bool(0.5) {
                harbour::log::RetentionDecision::Destroy
            } else {
                harbour::log::RetentionDecision::Keep {
                    until: today + chrono::Duration::days(1 + i64::from(n % 400)),
                }
            };
            let _ = harbour::ops::retention::review(
                log,
                file,
                harbour::ops::retention::Review {
                    decision,
                    reason: format!("Review {n}"),
                    early: true,
                },
                today,
            );
        }
        _ => {}
    }
}

fn own_events(log: &CaseLog) -> Vec<Event> {
    let id = log.device().id;
    log.events()
        .expect("events")
        .into_iter()
        .filter(|e| e.header.device_id == id)
        .collect()
}

fn run(seed: u64, devices: usize, steps: usize) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let staff: Vec<Uuid> = (0..devices).map(|_| Uuid::now_v7()).collect();
    let mut logs: Vec<CaseLog> = (0..devices)
        .map(|i| device(staff[i], rng.gen_range(-5_000..5_000)))
        .collect();

    // Device 0 sets the organisation up; the others start from its events.
    let mut setup = vec![
        Body::OrganisationNamed {
            name: "Northbridge Training".into(),
        },
        Body::CentreAdded {
            code: "MAN".into(),
            name: "Manchester".into(),
        },
    ];
    for (i, s) in staff.iter().enumerate() {
        setup.push(Body::StaffAdded {
            staff_id: *s,
            name: format!("Coordinator {i}"),
            job_title: "DSL".into(),
            centre: None,
        });
    }
    setup.extend(harbour::log::body::built_in_categories().expect("categories"));
    logs[0].append_all(setup).expect("setup");
    let first = own_events(&logs[0]);
    for log in logs.iter_mut().skip(1) {
        log.ingest(first.clone()).expect("setup ingest");
    }

    for n in 0..steps as u32 {
        let d = rng.gen_range(0..devices);
        if rng.gen_bool(0.15) {
            // Take in some of another device's events: a partial, possibly gappy delivery.
            let from = rng.gen_range(0..devices);
            let mut events = own_events(&logs[from]);
            events.retain(|_| rng.gen_bool(0.7));
            events.shuffle(&mut rng);
            logs[d].ingest(events).expect("partial ingest");
        } else {
            act(&mut logs[d], &mut rng, n);
        }
    }

    // Everyone takes in everyone's events, shuffled, in random batches, with duplicates.
    let all: Vec<Event> = (0..devices).flat_map(|i| own_events(&logs[i])).collect();
    for log in logs.iter_mut() {
        let mut events = all.clone();
        let extra: Vec<Event> = events
            .iter()
            .filter(|_| rng.gen_bool(0.2))
            .cloned()
            .collect();
        events.extend(extra);
        events.shuffle(&mut rng);
        while !events.is_empty() {
            let take = rng.gen_range(1..=events.len());
            let batch: Vec<Event> = events.drain(..take).collect();
            log.ingest(batch).expect("ingest");
        }
        let waiting: i64 = log
            .conn()
            .query_row("SELECT count(*) FROM pending_events", [], |r| r.get(0))
            .expect("count");
        assert_eq!(waiting, 0, "events still waiting after the full exchange");
    }

    let reference = tables(&logs[0]);
    assert!(reference
        .iter()
        .any(|(t, rows)| t == "devices" && rows.len() == devices));
    for (i, log) in logs.iter().enumerate().skip(1) {
        let mine = tables(log);
        for ((t, a), (_, b)) in reference.iter().zip(mine.iter()) {
            assert_eq!(
                a, b,
                "device {i} differs from device 0 in table {t} (seed {seed})"
            );
        }
    }
    // And what every device holds is exactly what a rebuild from the log gives.
    let mut last = logs.pop().expect("a device");
    last.rebuild().expect("rebuild");
    assert_eq!(tables(&last), reference, "a rebuild differs (seed {seed})");
    harbour::store::verify::verify(last.conn()).expect("verify after exchange");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn same_events_any_order_same_tables(seed in any::<u64>(), devices in 3usize..=5, steps in 10usize..60) {
        run(seed, devices, steps);
    }
}

#[test]
fn an_event_waits_for_its_predecessor() {
    let a_staff = Uuid::now_v7();
    let mut a = device(a_staff, 0);
    a.append_all(vec![
        Body::OrganisationNamed {
            name: "Northbridge Training".into(),
        },
        Body::CentreAdded {
            code: "MAN".into(),
            name: "Manchester".into(),
        },
        Body::OrganisationNamed {
            name: "Northbridge Training Ltd".into(),
        },
    ])
    .expect("events");
    let events = own_events(&a);
    assert_eq!(events.len(), 4);
    let mut b = device(Uuid::now_v7(), 0);
    // Events 3 and 4 arrive first: held, nothing applied.
    let r = b.ingest(events[2..].to_vec()).expect("ingest");
    assert_eq!((r.applied, r.waiting), (0, 2));
    let centres: i64 = b
        .conn()
        .query_row("SELECT count(*) FROM centres", [], |r| r.get(0))
        .expect("count");
    assert_eq!(centres, 0, "an event was applied out of chain");
    // Then 1 and 2: all four apply, and the same delivery again changes nothing.
    let r = b.ingest(events[..2].to_vec()).expect("ingest");
    assert_eq!((r.applied, r.waiting), (4, 0));
    let name: String = b
        .conn()
        .query_row("SELECT name FROM org", [], |r| r.get(0))
        .expect("org");
    assert_eq!(name, "Northbridge Training Ltd");
    let before = tables(&b);
    let r = b.ingest(events.clone()).expect("again");
    assert_eq!((r.applied, r.already_held), (0, 4));
    assert_eq!(tables(&b), before);
}

#[test]
fn a_forged_event_is_refused_and_nothing_changes() {
    let mut a = device(Uuid::now_v7(), 0);
    a.append(Body::OrganisationNamed {
        name: "Northbridge Training".into(),
    })
    .expect("event");
    let mut events = own_events(&a);
    events[1].payload = events[1].payload.replace("Northbridge", "Southbridge");
    let mut b = device(Uuid::now_v7(), 0);
    let before = tables(&b);
    let err = b.ingest(events).expect_err("forged event accepted");
    assert!(err.to_string().contains("was refused"), "{err}");
    assert_eq!(tables(&b), before);
}

#[test]
fn an_allegation_never_shows_on_the_device_of_the_person_it_concerns() {
    let dsl = Uuid::now_v7();
    let tutor = Uuid::now_v7();
    let mut a = device(dsl, 0);
    let mut setup = vec![
        Body::OrganisationNamed {
            name: "Northbridge Training".into(),
        },
        Body::CentreAdded {
            code: "MAN".into(),
            name: "Manchester".into(),
        },
        Body::StaffAdded {
            staff_id: dsl,
            name: "Sam Example".into(),
            job_title: "DSL".into(),
            centre: None,
        },
        Body::StaffAdded {
            staff_id: tutor,
            name: "Robin Tutor".into(),
            job_title: "Tutor".into(),
            centre: None,
        },
    ];
    setup.extend(harbour::log::body::built_in_categories().expect("categories"));
    a.append_all(setup).expect("setup");
    let learner = learners::add(
        &mut a,
        NewLearner {
            name: "Alex Example".into(),
            dob: chrono::NaiveDate::from_ymd_opt(2009, 4, 17).expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        },
    )
    .expect("learner");
    let opened = incidents::open(
        &mut a,
        NewIncident {
            learners: vec![(learner.to_string(), LearnerRole::Subject)],
            categories: vec!["allegation-staff".into()],
            account: "The tutor sent private messages late at night".into(),
            occurred_at: chrono::Utc::now() - chrono::Duration::days(1),
            reported_at: None,
            place: None,
            reporter: Reporter {
                name: "Alex Example".into(),
                job_title: "Learner".into(),
            },
            centre: None,
            concerns_staff: Some(tutor.to_string()),
            first_actions: None,
            procedures: vec![],
        },
    )
    .expect("allegation");

    let mut b = device(tutor, 0);
    b.ingest(own_events(&a)).expect("ingest");
    let everything = harbour::read::incidents::IncidentFilter::default();
    assert_eq!(
        harbour::read::incidents::list(a.conn(), dsl, &everything)
            .expect("list")
            .len(),
        1
    );
    assert!(harbour::read::incidents::list(b.conn(), tutor, &everything)
        .expect("list")
        .is_empty());
    assert!(
        harbour::read::search::search(b.conn(), tutor, "private messages", 10)
            .expect("search")
            .is_empty()
    );
    assert!(incidents::resolve(&b, &opened.reference).is_err());
    assert!(harbour::read::incidents::detail(b.conn(), tutor, opened.id).is_err());
    let page = harbour::read::learners::detail(b.conn(), tutor, learner).expect("learner");
    assert!(page.incidents.is_empty());
}
