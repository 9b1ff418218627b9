//! The dashboard's list of open cases with required procedure steps outstanding: a case is
//! listed until every required step is done or explained, and never to the person a
//! restricted case concerns.

use crate::common;

use harbour::domain::time::{parse_instant, today};
use harbour::domain::{LearnerRole, Reporter};
use harbour::ops::incidents::{self, NewIncident};
use harbour::ops::learners::{self, NewLearner};
use harbour::ops::procedures::{self, StepOutcome};
use harbour::read::dashboard::dashboard;
use harbour::read::procedures::outstanding_required;
use harbour::Harbour;

fn folder() -> (tempfile::TempDir, Harbour) {
    common::open_in_process()
}

fn open_case(h: &mut Harbour, category: &str) -> uuid::Uuid {
    let learner = learners::add(
        h.log_mut(),
        NewLearner {
            name: "Alex Example".into(),
            dob: harbour::domain::time::parse_date("2009-04-17").expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        },
    )
    .expect("learner");
    incidents::open(
        h.log_mut(),
        NewIncident {
            learners: vec![(learner.to_string(), LearnerRole::Subject)],
            categories: vec![category.into()],
            account: "A picture was shared in the group chat".into(),
            occurred_at: parse_instant("2026-11-20T15:30").expect("time"),
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
    .expect("open")
    .id
}

#[test]
fn a_case_is_listed_until_its_required_steps_are_done_or_explained() {
    let (_tmp, mut h) = folder();
    let id = open_case(&mut h, "nudes");
    let viewer = h.log().device().author;
    let d = dashboard(h.log().conn(), viewer, today()).expect("dashboard");
    let listed = d
        .steps_outstanding
        .iter()
        .find(|s| s.incident_id == id.to_string())
        .expect("the nudes case, with its procedure's required steps, is listed");
    let required = outstanding_required(h.log().conn(), id).expect("steps");
    assert_eq!(listed.steps as usize, required.len());
    assert!(listed.steps > 0);

    // Done or explained, one by one; the last one takes the case off the list.
    for (i, step) in required.iter().enumerate() {
        let outcome = if i % 2 == 0 {
            StepOutcome::Done { note: None }
        } else {
            StepOutcome::NotApplicable {
                reason: "Not needed here".into(),
            }
        };
        procedures::step(h.log_mut(), id, &step.id, outcome).expect("step");
    }
    let d = dashboard(h.log().conn(), viewer, today()).expect("dashboard");
    assert!(
        d.steps_outstanding
            .iter()
            .all(|s| s.incident_id != id.to_string()),
        "{:?}",
        d.steps_outstanding
    );
}

#[test]
fn a_trigger_flags_the_case_and_adds_a_required_step() {
    let (_tmp, mut h) = folder();
    let id = open_case(&mut h, "nudes");
    let viewer = h.log().device().author;
    let before = outstanding_required(h.log().conn(), id)
        .expect("steps")
        .len();
    procedures::trigger(h.log_mut(), id, "coercion").expect("trigger");
    let d = dashboard(h.log().conn(), viewer, today()).expect("dashboard");
    let listed = d
        .steps_outstanding
        .iter()
        .find(|s| s.incident_id == id.to_string())
        .expect("listed");
    assert!(listed.flagged, "a trigger flags the case");
    assert!(
        listed.steps as usize > before,
        "the urgent police referral becomes required: {} then {}",
        before,
        listed.steps
    );
}

#[test]
fn an_open_case_whose_policy_offers_a_procedure_is_listed_until_it_follows_it() {
    let (_tmp, mut h) = folder();
    let id = open_case(&mut h, "cyberbullying");
    let viewer = h.log().device().author;
    let d = dashboard(h.log().conn(), viewer, today()).expect("dashboard");
    let listed: Vec<(&str, &str)> = d
        .procedures_suggested
        .iter()
        .map(|s| (s.reference.as_str(), s.procedure_id.as_str()))
        .collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].1, "bullying-email-mobile");
    procedures::attach(h.log_mut(), id, "bullying-email-mobile").expect("attach");
    let d = dashboard(h.log().conn(), viewer, today()).expect("dashboard");
    assert!(
        d.procedures_suggested.is_empty(),
        "{:?}",
        d.procedures_suggested
    );
    // A nudes case follows its own procedure at once and is offered nothing.
    open_case(&mut h, "nudes");
    let d = dashboard(h.log().conn(), viewer, today()).expect("dashboard");
    assert!(
        d.procedures_suggested.is_empty(),
        "{:?}",
        d.procedures_suggested
    );
}

#[test]
fn the_policy_review_is_mentioned_from_thirty_days_before_it_is_due_and_after() {
    use harbour::read::dashboard::policy_review;
    let (_tmp, mut h) = folder();
    let on = |d: &str| harbour::domain::time::parse_date(d).expect("date");
    assert_eq!(
        policy_review(h.log().conn(), on("2026-12-04")).expect("read"),
        None
    );
    harbour::ops::org::set_policy_review(h.log_mut(), on("2027-01-15")).expect("set");
    let conn = h.log().conn();
    assert_eq!(
        policy_review(conn, on("2026-12-15")).expect("read"),
        None,
        "31 days ahead"
    );
    let soon = policy_review(conn, on("2026-12-16"))
        .expect("read")
        .expect("30 days ahead");
    assert!(!soon.overdue);
    assert_eq!(
        soon.message,
        "The online safety policy is due for review on 15/01/2027, in 30 days."
    );
    let past = policy_review(conn, on("2027-01-16"))
        .expect("read")
        .expect("past");
    assert!(past.overdue);
    assert!(
        past.message.contains("was due for review on 15/01/2027"),
        "{}",
        past.message
    );
    let d = dashboard(conn, h.log().device().author, on("2027-01-16")).expect("dashboard");
    assert_eq!(d.policy_review, Some(past));
}
