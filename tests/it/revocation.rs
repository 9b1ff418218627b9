//! Revocation holds whichever device passes the revoked device's events on (issue 17,
//! point 4): B revokes C; C's new incident reaches B through D and is refused, by name; and
//! the revocation itself travels, so D refuses C too.

use harbour::sync::{export, peers};
use uuid::Uuid;

use crate::sync_support::{introduce, Site};

fn sites(centres: &[&str]) -> Vec<Site> {
    let mut out: Vec<Site> = centres
        .iter()
        .map(|c| Site::new(c, &format!("{c} Coordinator")))
        .collect();
    introduce(&mut out);
    out
}

/// A bundle from `from` for `to`, taken in by `to`.
fn pass(from: &mut Site, to: &mut Site) -> harbour::sync::Imported {
    let bytes = from.bundle_for(&[to]);
    to.take(&bytes).expect("bundle taken in")
}

fn references(site: &Site) -> Vec<String> {
    let mut stmt = site
        .hr()
        .log()
        .conn()
        .prepare("SELECT reference FROM incidents ORDER BY reference")
        .expect("select");
    stmt.query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("references")
}

fn reference_of(site: &Site, incident: Uuid) -> String {
    site.hr()
        .log()
        .conn()
        .query_row(
            "SELECT reference FROM incidents WHERE id = ?1",
            [incident.to_string()],
            |r| r.get(0),
        )
        .expect("reference")
}

fn revoke(site: &mut Site, other: &Site) {
    peers::revoke(site.h().log_mut(), &other.id().to_string()).expect("revoke");
}

#[test]
fn a_revoked_devices_new_incident_relayed_by_another_peer_is_refused_and_named() {
    let mut s = sites(&["MAN", "LDS", "BRD"]);
    let (b, rest) = s.split_at_mut(1);
    let (c, d) = rest.split_at_mut(1);
    let (b, c, d) = (&mut b[0], &mut c[0], &mut d[0]);

    let learner = c.learner("Alex Example");
    let before = c.incident(learner, "Recorded before the revocation");
    pass(c, b);
    revoke(b, c);
    let after = c.incident(learner, "Recorded on the revoked laptop afterwards");
    let after_ref = reference_of(c, after);
    // D has not heard of the revocation yet, so it takes C's incident and passes it on.
    pass(c, d);
    assert!(references(d).contains(&after_ref));

    let imported = pass(d, b);
    assert_eq!(imported.refused.len(), 1, "{imported:?}");
    let sentence = &imported.refused[0];
    assert!(
        sentence.contains("made on LDS laptop (LDS) after it was revoked on")
            && sentence.contains("(by MAN laptop (MAN))"),
        "{sentence}"
    );
    assert!(imported.describe().contains(sentence.as_str()));
    let held = references(b);
    assert!(held.contains(&reference_of(c, before)), "{held:?}");
    assert!(!held.contains(&after_ref), "{held:?}");
    let beyond: i64 = b
        .hr()
        .log()
        .conn()
        .query_row(
            "SELECT count(*) FROM events e WHERE e.device_id = ?1
               AND e.seq > (SELECT last_seq FROM revocations WHERE device_id = ?1)",
            [c.id().to_string()],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(beyond, 0);
    assert_eq!(
        b.hr()
            .log()
            .conn()
            .query_row("SELECT count(*) FROM pending_events", [], |r| r
                .get::<_, i64>(0))
            .expect("pending"),
        0,
        "the refused events were kept aside"
    );
    harbour::store::verify::verify(b.hr().log().conn()).expect("verify");

    // The same bundle again is recognised; another bundle from D refuses them again, by name.
    let again = pass(d, b);
    assert!(again.refused.iter().all(|r| r.contains("LDS laptop (LDS)")));
}

#[test]
fn a_revocation_travels_so_a_relay_refuses_the_revoked_device_too() {
    let mut s = sites(&["MAN", "LDS", "BRD"]);
    let (b, rest) = s.split_at_mut(1);
    let (c, d) = rest.split_at_mut(1);
    let (b, c, d) = (&mut b[0], &mut c[0], &mut d[0]);

    let learner = c.learner("Alex Example");
    let before = c.incident(learner, "Recorded before the revocation");
    pass(c, b);
    revoke(b, c);
    // B passes on the revocation, and C's events from before it.
    pass(b, d);
    assert!(references(d).contains(&reference_of(c, before)));
    let seen = peers::get(d.hr().log().conn(), &c.id())
        .expect("peer")
        .expect("C is D's peer");
    assert!(seen.revoked_ms.is_some(), "D does not see C as revoked");

    // C's own bundles to D are now refused, and D sends nothing to C.
    c.incident(learner, "Recorded on the revoked laptop afterwards");
    let bundle = c.bundle_for(&[d]);
    let err = d.take(&bundle).expect_err("refused");
    assert_eq!(err.code(), "bundle_revoked_sender", "{err}");
    let err =
        export::recipients(d.h(), &[c.id().to_string()]).expect_err("no bundle for a revoked peer");
    assert_eq!(err.code(), "peer_revoked");
}

#[test]
fn a_revocation_and_the_revoked_devices_later_events_taken_in_together_are_refused() {
    let mut s = sites(&["MAN", "LDS", "BRD", "YRK"]);
    let mut e = s.pop().expect("e");
    let mut d = s.pop().expect("d");
    let mut c = s.pop().expect("c");
    let mut b = s.pop().expect("b");

    let learner = c.learner("Alex Example");
    c.incident(learner, "Recorded before the revocation");
    pass(&mut c, &mut b);
    revoke(&mut b, &c);
    let after = c.incident(learner, "Recorded on the revoked laptop afterwards");
    let after_ref = reference_of(&c, after);
    // E takes C's new incident before it hears of the revocation, then hears of it.
    pass(&mut c, &mut e);
    pass(&mut b, &mut e);
    assert!(
        references(&e).contains(&after_ref),
        "held before it was known"
    );

    // E no longer passes C's later events on…
    let imported = pass(&mut e, &mut d);
    assert!(imported.refused.is_empty(), "{imported:?}");
    assert!(!references(&d).contains(&after_ref));

    // …and a device handed the revocation and those events in one batch, in any order,
    // refuses them all the same.
    let mut f = Site::new("HUL", "HUL Coordinator");
    let mut all = e.hr().log().events().expect("events");
    all.reverse();
    let report = f.h().log_mut().ingest(all).expect("ingest");
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert!(report.refused[0].message.contains("LDS laptop (LDS)"));
    assert!(!references(&f).contains(&after_ref));
    harbour::store::verify::verify(f.hr().log().conn()).expect("verify");
}

#[test]
fn a_revocation_signed_by_a_device_already_revoked_does_not_count() {
    let mut s = sites(&["MAN", "LDS", "BRD"]);
    let mut d = s.pop().expect("d");
    let mut c = s.pop().expect("c");
    let mut b = s.pop().expect("b");
    revoke(&mut b, &c);
    // C, already revoked by B, tries to cut D off.
    revoke(&mut c, &d);
    let learner = d.learner("Alex Example");
    let incident = d.incident(learner, "Recorded on a laptop nobody rightly revoked");
    let reference = reference_of(&d, incident);

    let mut f = Site::new("HUL", "HUL Coordinator");
    let mut all = Vec::new();
    for site in [&c, &d, &b] {
        all.extend(site.hr().log().events().expect("events"));
    }
    let report = f.h().log_mut().ingest(all).expect("ingest");
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert!(
        report.refused[0].message.contains("LDS laptop (LDS)"),
        "{}",
        report.refused[0].message
    );
    assert!(references(&f).contains(&reference), "D was cut off by C");
    harbour::store::verify::verify(f.hr().log().conn()).expect("verify");
}
