//! Fictional case logs for benchmarks and demonstrations.
//!
//! Every name and word here is made up. The same seed always gives the same learners and
//! the same wording, so measurements can be repeated.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::domain::{LearnerRole, Reporter};
use crate::log::{Body, IncidentOpened};
use crate::store::CaseLog;
use crate::Result;

const WORDS: &[&str] = &[
    "message",
    "snapchat",
    "instagram",
    "whatsapp",
    "photo",
    "group",
    "chat",
    "threat",
    "bus",
    "stop",
    "college",
    "workshop",
    "tutor",
    "employer",
    "nasty",
    "comment",
    "screenshot",
    "account",
    "password",
    "hacked",
    "fake",
    "profile",
    "video",
    "shared",
    "without",
    "consent",
    "money",
    "betting",
    "game",
    "online",
    "stranger",
    "followed",
    "evening",
    "weekend",
    "phone",
    "number",
    "address",
    "school",
    "friend",
    "brother",
    "sister",
    "apprentice",
    "site",
    "placement",
    "canteen",
    "library",
    "gym",
    "football",
    "music",
    "laptop",
    "email",
    "blocked",
    "reported",
    "upset",
    "scared",
    "angry",
    "laughed",
    "posted",
    "deleted",
    "again",
    "every",
    "night",
];

const CATEGORIES: &[&str] = &[
    "cyberbullying",
    "gambling",
    "grooming",
    "harmful-content",
    "malicious-posts",
];

/// A sentence of `n` words from the fixed vocabulary.
pub fn sentence(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word from the vocabulary, for searching.
pub fn word(rng: &mut impl Rng) -> &'static str {
    WORDS[rng.gen_range(0..WORDS.len())]
}

/// Adds `learners` learners and `incidents` incidents at `centre`, each incident with its
/// opening entry and four notes (five chronology entries), in transactions of 500 incidents.
pub fn fill(
    log: &mut CaseLog,
    centre: &str,
    learners: usize,
    incidents: usize,
    seed: u64,
) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let ids: Vec<Uuid> = (0..learners.max(1)).map(|_| Uuid::now_v7()).collect();
    let bodies = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Body::LearnerAdded {
            learner_id: *id,
            name: format!("Learner {i} Example"),
            dob: chrono::NaiveDate::from_ymd_opt(2005 + (i % 8) as i32, 1 + (i % 12) as u32, 1)
                .unwrap_or_default(),
            centre: centre.to_string(),
            employer: None,
            carers: vec![],
        })
        .collect();
    log.append_all(bodies)?;
    let year = crate::domain::time::today().format("%Y").to_string();
    let mut done = 0;
    while done < incidents {
        let batch = 500.min(incidents - done);
        let mut bodies = Vec::with_capacity(batch * 5);
        for k in 0..batch {
            let n = done + k;
            let id = Uuid::now_v7();
            let a = ids[rng.gen_range(0..ids.len())];
            let b = ids[rng.gen_range(0..ids.len())];
            let mut involved = vec![(a, LearnerRole::Subject)];
            if a != b {
                involved.push((b, LearnerRole::AllegedPerpetrator));
            }
            bodies.push(Body::IncidentOpened(IncidentOpened {
                incident_id: id,
                reference: format!("{centre}-{year}-{:06}", n + 1),
                centre: centre.to_string(),
                categories: vec![CATEGORIES[n % CATEGORIES.len()].into()],
                learners: involved,
                occurred_at: chrono::Utc::now() - chrono::Duration::hours((n % 8000) as i64),
                reported_at: chrono::Utc::now(),
                reporter: Reporter {
                    name: "Chris Tutor".into(),
                    job_title: "Assessor".into(),
                },
                place: Some("Group chat".into()),
                account: sentence(&mut rng, 30),
                concerns_staff: None,
            }));
            for _ in 0..4 {
                bodies.push(Body::NoteAdded {
                    incident_id: id,
                    text: sentence(&mut rng, 15),
                });
            }
        }
        log.append_all(bodies)?;
        done += batch;
    }
    Ok(())
}
