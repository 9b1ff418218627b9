//! Three to five data folders make random changes and swap bundles in random orders, with
//! duplicates and losses. After everyone has exchanged with everyone, every folder has
//! identical tables, and no change made on two devices was lost: the current values of each
//! field are exactly the settings no later setting replaced, worked out here from the
//! events alone.

use crate::sync_support;

use std::collections::{BTreeMap, BTreeSet};

use harbour::domain::RiskLevel;
use harbour::log::{Body, Field};
use harbour::ops::{conflicts, incidents};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use sync_support::{introduce, Site};
use uuid::Uuid;

fn incident_ids(s: &Site) -> Vec<Uuid> {
    let mut stmt = s
        .hr()
        .log()
        .conn()
        .prepare("SELECT id FROM incidents ORDER BY id")
        .expect("select");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("ids")
        .map(|r| Uuid::parse_str(&r.expect("id")).expect("uuid"))
        .collect()
}

fn act(s: &mut Site, rng: &mut impl Rng, n: u32) {
    let known = incident_ids(s);
    let pick = |rng: &mut dyn rand::RngCore| known[rng.gen_range(0..known.len())];
    let level = [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High][rng.gen_range(0..3)];
    match rng.gen_range(0..8) {
        0 => {
            let l = s.learner(&format!("Learner {n}"));
            s.incident(l, &format!("Account {n}"));
        }
        2 if !known.is_empty() => {
            let i = pick(rng);
            let _ = incidents::note(s.h().log_mut(), i, &format!("Note {n}"));
        }
        1 | 3 | 4 if !known.is_empty() => {
            let i = pick(rng);
            let _ = incidents::set_risk(s.h().log_mut(), i, level, "Reviewed");
        }
        5 if !known.is_empty() => {
            let i = pick(rng);
            let _ = incidents::reopen(s.h().log_mut(), i, "New information");
        }
        6 if !known.is_empty() => {
            let list = harbour::read::conflicts::list(s.hr().log().conn(), s.author(), None)
                .expect("conflicts");
            if let Some(c) = list.first() {
                let id = Uuid::parse_str(&c.incident_id).expect("id");
                let side = &c.sides[rng.gen_range(0..c.sides.len())];
                let field = Field::parse(&c.field).expect("field");
                conflicts::resolve(s.h().log_mut(), id, field, &side.event_id, "Chosen")
                    .expect("resolve");
            }
        }
        _ => {}
    }
}

/// The current settings of every (incident, field), from the events alone.
fn expected_heads(s: &Site) -> BTreeMap<(String, String), BTreeSet<String>> {
    let events = s.hr().log().events().expect("events");
    let mut heads: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for e in &events {
        let Ok(body) = e.body() else { continue };
        let (incident, field, replaces) = match &body {
            Body::RiskAssessed {
                incident_id,
                replaces,
                ..
            } => (incident_id, Field::Risk, replaces.clone()),
            Body::IncidentClosed {
                incident_id,
                replaces,
                ..
            }
            | Body::IncidentReopened {
                incident_id,
                replaces,
                ..
            } => (incident_id, Field::Status, replaces.clone()),
            Body::ConflictResolved {
                incident_id,
                field,
                replaces,
                ..
            } => (incident_id, *field, Some(replaces.clone())),
            _ => continue,
        };
        let set = heads
            .entry((incident.to_string(), field.code().to_string()))
            .or_default();
        match replaces {
            None => set.clear(),
            Some(r) => {
                for id in r {
                    set.remove(&id.to_string());
                }
            }
        }
        set.insert(e.header.id.to_string());
    }
    heads.retain(|_, v| !v.is_empty());
    heads
}

fn stored_heads(s: &Site) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut stmt = s
        .hr()
        .log()
        .conn()
        .prepare("SELECT incident_id, field, event_id FROM field_heads")
        .expect("select");
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for row in stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .expect("rows")
    {
        let (i, f, e) = row.expect("row");
        out.entry((i, f)).or_default().insert(e);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn devices_swapping_bundles_end_identical(seed in any::<u64>(), devices in 3usize..=5, steps in 30usize..60) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let centres = ["MAN", "LDS", "BHM", "LIV", "SHF"];
        let mut sites: Vec<Site> = (0..devices)
            .map(|i| Site::new(centres[i], &format!("Coordinator {i}")))
            .collect();
        introduce(&mut sites);
        let mut post: Vec<(usize, Vec<u8>)> = Vec::new();
        for n in 0..steps as u32 {
            let who = rng.gen_range(0..devices);
            match rng.gen_range(0..4) {
                0 | 1 => act(&mut sites[who], &mut rng, n),
                2 => {
                    let to = (who + rng.gen_range(1..devices)) % devices;
                    let bytes = {
                        let (a, b) = if who < to {
                            let (l, r) = sites.split_at_mut(to);
                            (&mut l[who], &r[0])
                        } else {
                            let (l, r) = sites.split_at_mut(who);
                            (&mut r[0], &l[to])
                        };
                        a.bundle_for(&[b])
                    };
                    post.push((to, bytes));
                }
                _ if !post.is_empty() => {
                    // Deliver a random bundle; sometimes keep it to deliver again
                    // (a duplicate), sometimes lose it.
                    let k = rng.gen_range(0..post.len());
                    let (to, bytes) = if rng.gen_bool(0.3) {
                        post[k].clone()
                    } else {
                        post.swap_remove(k)
                    };
                    if rng.gen_bool(0.85) {
                        sites[to].take(&bytes).expect("import");
                    }
                }
                _ => {}
            }
        }
        // Everyone exchanges with everyone until nothing changes.
        for _round in 0..devices + 1 {
            let mut changed = false;
            for i in 0..devices {
                for j in 0..devices {
                    if i == j {
                        continue;
                    }
                    let bytes = {
                        let (a, b) = if i < j {
                            let (l, r) = sites.split_at_mut(j);
                            (&mut l[i], &r[0])
                        } else {
                            let (l, r) = sites.split_at_mut(i);
                            (&mut r[0], &l[j])
                        };
                        a.bundle_for(&[b])
                    };
                    let got = sites[j].take(&bytes).expect("import");
                    changed |= !got.nothing_changed();
                }
            }
            if !changed {
                break;
            }
        }
        eprintln!("stats: events={} multi-head={}", sites[0].hr().log().events().expect("e").len(), stored_heads(&sites[0]).values().filter(|v| v.len() > 1).count());
        let first = sites[0].tables();
        for s in &sites {
            prop_assert_eq!(s.hr().log().events().expect("events").len(),
                sites[0].hr().log().events().expect("events").len());
            prop_assert!(s.tables() == first, "tables differ");
            prop_assert_eq!(expected_heads(s), stored_heads(s));
            harbour::store::verify::verify(s.hr().log().conn()).expect("verify");
            let waiting: i64 = s.hr().log().conn()
                .query_row("SELECT count(*) FROM pending_events", [], |r| r.get(0))
                .expect("pending");
            prop_assert_eq!(waiting, 0);
        }
    }
}
