//! Sync bundles between data folders: what arrives, what is refused, and what must never
//! reach a device. Each bad input is refused (or held) with one plain sentence, and a
//! refused bundle leaves the data folder byte for byte as it was.

use crate::sync_support;

use harbour::domain::RiskLevel;
use harbour::log::{Body, EventHeader, Field, Hlc, KIND_VERSION};
use harbour::ops::{conflicts, incidents};
use harbour::sync::{envelope, export, payload, peers};
use sync_support::{introduce, snapshot, Site};
use uuid::Uuid;

fn pair() -> (Site, Site) {
    let mut s = vec![
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Alex Sample"),
    ];
    introduce(&mut s);
    let b = s.pop().expect("b");
    let a = s.pop().expect("a");
    (a, b)
}

/// Tries to import `bytes` into `site`; insists it fails with `code`, that the sentence is
/// one sentence, and that the data folder did not change at all.
fn refused(site: &mut Site, bytes: &[u8], code: &str) -> String {
    site.close();
    let before = snapshot(&site.dir());
    site.reopen();
    let err = site.take(bytes).expect_err("should be refused");
    site.close();
    assert_eq!(
        snapshot(&site.dir()),
        before,
        "the data folder changed ({code})"
    );
    site.reopen();
    assert_eq!(err.code(), code, "{err}");
    let text = err.to_string();
    assert!(text.ends_with('.') && !text.contains('\n'), "{text}");
    text
}

#[test]
fn an_incident_arrives_and_the_same_bundle_twice_changes_nothing() {
    let (mut a, mut b) = pair();
    let l = a.learner("Jamie Test");
    a.incident(l, "They posted it in the group chat");
    let bundle = a.bundle_for(&[&b]);
    let got = b.take(&bundle).expect("import");
    assert_eq!(got.new_incidents.len(), 1, "{got:?}");
    assert_eq!(got.waiting, 0);
    b.close();
    let before = snapshot(&b.dir());
    b.reopen();
    let again = b.take(&bundle).expect("again");
    assert!(again.already_imported);
    b.close();
    assert_eq!(snapshot(&b.dir()), before);
    b.reopen();
    harbour::store::verify::verify(b.hr().log().conn()).expect("verify");

    // B now knows what A holds; A's next bundle after B's reply holds only what is new.
    let reply = b.bundle_for(&[&a]);
    a.take(&reply).expect("reply");
    let nothing = a.bundle_for(&[&b]);
    let opened = harbour::sync::import::open(b.hr(), &nothing).expect("open");
    assert!(
        opened.manifest.events.is_empty(),
        "{}",
        opened.manifest.events.len()
    );
    let got = b.take(&nothing).expect("import");
    assert!(got.nothing_changed());
}

#[test]
fn an_unknown_sender_is_refused() {
    let (mut a, _b) = pair();
    let mut stranger = Site::new("BHM", "Robin Other");
    let card = peers::own_card(a.hr().log()).expect("card");
    peers::add(stranger.hr().log(), &card, &card.fingerprint()).expect("add");
    let bundle = stranger.bundle_for(&[&a]);
    let text = refused(&mut a, &bundle, "bundle_unknown_sender");
    assert!(text.contains("not one of this device's peers"), "{text}");
}

#[test]
fn a_revoked_sender_is_refused() {
    let (mut a, mut b) = pair();
    let bundle = b.bundle_for(&[&a]);
    peers::revoke(a.h().log_mut(), &b.id().to_string()).expect("revoke");
    let text = refused(&mut a, &bundle, "bundle_revoked_sender");
    assert!(text.contains("revoked"), "{text}");
}

#[test]
fn a_bad_signature_and_any_changed_byte_are_refused() {
    let (mut a, mut b) = pair();
    let bundle = b.bundle_for(&[&a]);
    let mut sig = bundle.clone();
    let last = sig.len() - 1;
    sig[last] ^= 0x01;
    refused(&mut a, &sig, "bundle_bad_signature");
    // One changed byte in the ciphertext, in the header's number, and in the magic.
    let mut mid = bundle.clone();
    let at = mid.len() / 2;
    mid[at] ^= 0x40;
    refused(&mut a, &mid, "bundle_bad_signature");
    let head_at = bundle
        .windows(b"bundle_seq".len())
        .position(|w| w == b"bundle_seq")
        .expect("header");
    let mut head = bundle.clone();
    head[head_at + 12] = b'7';
    let code = a.take(&head).expect_err("changed header").code();
    assert!(
        code == "bundle_bad_signature" || code == "bundle_malformed",
        "{code}"
    );
    let mut magic = bundle.clone();
    magic[0] = b'X';
    refused(&mut a, &magic, "not_a_bundle");
}

#[test]
fn a_truncated_bundle_is_refused() {
    let (mut a, mut b) = pair();
    let bundle = b.bundle_for(&[&a]);
    for cut in [10, bundle.len() / 2, bundle.len() - 1] {
        let text = refused(&mut a, &bundle[..cut], "bundle_truncated");
        assert!(text.contains("cut short"), "{text}");
    }
}

#[test]
fn a_bundle_for_another_device_is_refused() {
    let mut s = vec![
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Alex Sample"),
        Site::new("BHM", "Robin Other"),
    ];
    introduce(&mut s);
    let for_c = {
        let (left, right) = s.split_at_mut(1);
        left[0].bundle_for(&[&right[1]])
    };
    let text = refused(&mut s[1], &for_c, "bundle_not_for_this_device");
    assert!(text.contains("another device"), "{text}");
}

#[test]
fn a_replayed_old_bundle_changes_nothing() {
    let (mut a, mut b) = pair();
    let l = a.learner("Jamie Test");
    let i = a.incident(l, "First account");
    let old = a.bundle_for(&[&b]);
    b.take(&old).expect("first");
    incidents::note(a.h().log_mut(), i, "A later note").expect("note");
    let newer = a.bundle_for(&[&b]);
    b.take(&newer).expect("newer");
    b.close();
    let before = snapshot(&b.dir());
    b.reopen();
    let again = b.take(&old).expect("replay");
    assert!(again.already_imported);
    b.close();
    assert_eq!(snapshot(&b.dir()), before);
    b.reopen();
}

#[test]
fn a_newer_format_is_refused_in_one_sentence() {
    let (mut a, mut b) = pair();
    let mut bundle = b.bundle_for(&[&a]);
    bundle[9] = 9;
    let text = refused(&mut a, &bundle, "bundle_newer_version");
    assert!(text.contains("newer version of Harbour"), "{text}");
}

/// A bundle correctly signed and encrypted whose contents are not a Harbour payload.
#[test]
fn a_malformed_payload_is_refused() {
    let (mut a, mut b) = pair();
    let to = export::recipients(b.h(), &[a.id().to_string()]).expect("peers");
    let recipient: age::x25519::Recipient = to[0].x25519.parse().expect("recipient");
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("encryptor");
    let mut ct = Vec::new();
    {
        use std::io::Write;
        let mut w = encryptor.wrap_output(&mut ct).expect("wrap");
        w.write_all(b"HBPAYLD1\x00\x00\x00\x05{oops")
            .expect("write");
        w.finish().expect("finish");
    }
    let header = envelope::Header {
        sender: b.id(),
        bundle_seq: 1,
        created_ms: 0,
    };
    let signer = &b.hr().log().device().signer;
    let bundle = envelope::build(&header, &ct, |m| signer.sign(m));
    let text = refused(&mut a, &bundle, "bundle_malformed");
    assert!(text.contains("damaged"), "{text}");
}

/// Cuts A's full bundle for B, then seals a copy with `keep` deciding which events stay.
fn doctored(a: &mut Site, b: &Site, keep: impl Fn(usize, &harbour::log::Event) -> bool) -> Vec<u8> {
    let h = a.h();
    let to = export::recipients(h, &[b.id().to_string()]).expect("peers");
    let mut cut = export::cut(h, &to).expect("cut");
    cut.manifest.events = cut
        .manifest
        .events
        .iter()
        .enumerate()
        .filter(|(i, e)| keep(*i, e))
        .map(|(_, e)| e.clone())
        .collect();
    let seq = export::next_bundle_seq(h).expect("seq");
    export::seal(h, &cut, &to, seq).expect("seal")
}

#[test]
fn a_chain_gap_is_held_until_filled() {
    let (mut a, mut b) = pair();
    let l = a.learner("Jamie Test");
    a.incident(l, "Held back");
    let sender = a.id();
    let gap = doctored(&mut a, &b, |_, e| {
        !(e.header.device_id == sender && e.header.seq == 3)
    });
    let got = b.take(&gap).expect("held");
    assert!(got.waiting > 0, "{got:?}");
    assert!(got.new_incidents.is_empty());
    assert!(got.describe().contains("held aside"), "{}", got.describe());
    let full = a.bundle_for(&[&b]);
    let got = b.take(&full).expect("filled");
    assert_eq!(got.waiting, 0);
    assert_eq!(got.new_incidents.len(), 1);
    harbour::store::verify::verify(b.hr().log().conn()).expect("verify");
}

#[test]
fn an_event_dated_far_in_the_future_is_refused_and_named() {
    let (mut a, mut b) = pair();
    let h = a.h();
    let log = h.log();
    let head = log
        .conn()
        .query_row(
            "SELECT seq, hash FROM events WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1",
            [log.device().id.to_string()],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )
        .expect("head");
    let prev: [u8; 32] = head.1.try_into().expect("hash");
    let future = chrono::Utc::now().timestamp_millis() + 3 * 24 * 60 * 60 * 1000;
    let body = Body::OrganisationNamed {
        name: "Northbridge Training Ltd".into(),
    };
    let event = log
        .device()
        .signer
        .seal(
            EventHeader {
                id: Uuid::now_v7(),
                device_id: log.device().id,
                seq: head.0 as u64 + 1,
                hlc: Hlc {
                    ms: future,
                    count: 0,
                },
                author_id: log.device().author,
                kind: body.kind().into(),
                kind_version: KIND_VERSION,
            },
            &body,
            Some(prev),
        )
        .expect("seal");
    let to = export::recipients(h, &[b.id().to_string()]).expect("peers");
    let mut cut = export::cut(h, &to).expect("cut");
    cut.manifest.events.push(event.clone());
    let bundle = export::seal(h, &cut, &to, 99).expect("seal");
    let text = refused(&mut b, &bundle, "bundle_future_event");
    assert!(text.contains(&event.header.id.to_string()), "{text}");
    assert!(text.contains("ahead of this computer's clock"), "{text}");
}

#[test]
fn a_restricted_record_never_reaches_the_person_it_concerns() {
    let mut s = vec![
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Alex Sample"),
        Site::new("BHM", "Robin Other"),
    ];
    introduce(&mut s);
    let mut c = s.pop().expect("c");
    let mut b = s.pop().expect("b");
    let mut a = s.pop().expect("a");
    // A learns of B's coordinator (a member of staff) from B's own events.
    let from_b = b.bundle_for(&[&a]);
    a.take(&from_b).expect("from b");
    let secret = "Allegation text that must not reach Alex";
    let incident = incidents::open(
        a.h().log_mut(),
        incidents::NewIncident {
            learners: vec![],
            categories: vec!["allegation-staff".into()],
            account: secret.into(),
            occurred_at: chrono::Utc::now() - chrono::Duration::days(1),
            reported_at: None,
            place: None,
            reporter: harbour::domain::Reporter {
                name: "Chris Tutor".into(),
                job_title: "Assessor".into(),
            },
            centre: None,
            concerns_staff: Some(b.author().to_string()),
            first_actions: None,
            procedures: vec![],
        },
    )
    .expect("allegation")
    .id;
    incidents::note(a.h().log_mut(), incident, "Spoke to the General Manager").expect("note");
    let l = a.learner("Jamie Test");
    a.incident(l, "An ordinary incident after it");

    let to_b = a.bundle_for(&[&b]);
    let plain = harbour::sync::import::open(b.hr(), &to_b)
        .expect("open")
        .plain;
    assert!(
        !sync_support_contains(&plain, secret.as_bytes()),
        "the allegation's text was in B's bundle"
    );
    let got = b.take(&to_b).expect("import");
    assert_eq!(got.waiting, 0, "a withheld event left a gap: {got:?}");
    assert_eq!(got.new_incidents.len(), 1, "{got:?}");
    let found: i64 = b
        .hr()
        .log()
        .conn()
        .query_row(
            "SELECT count(*) FROM events WHERE payload LIKE '%Allegation text%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(found, 0);
    let rows: i64 = b
        .hr()
        .log()
        .conn()
        .query_row(
            "SELECT count(*) FROM incidents WHERE id = ?1",
            [incident.to_string()],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(rows, 0);
    harbour::store::verify::verify(b.hr().log().conn()).expect("verify B");

    // C may see it; and B never relays what it holds withheld.
    let to_c = a.bundle_for(&[&c]);
    c.take(&to_c).expect("import c");
    let rows: i64 = c
        .hr()
        .log()
        .conn()
        .query_row(
            "SELECT count(*) FROM incidents WHERE id = ?1",
            [incident.to_string()],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(rows, 1);
    let b_to_c = b.bundle_for(&[&c]);
    let opened = harbour::sync::import::open(c.hr(), &b_to_c).expect("open");
    assert!(opened.manifest.events.iter().all(|e| !e.is_withheld()));
    // A bundle for B and C together is cut for the stricter of the two.
    let both = a.bundle_for(&[&b, &c]);
    let plain = harbour::sync::import::open(c.hr(), &both)
        .expect("open")
        .plain;
    assert!(!sync_support_contains(&plain, secret.as_bytes()));
}

fn sync_support_contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_risk_level_changed_on_two_devices_is_kept_and_resolved() {
    let (mut a, mut b) = pair();
    let l = a.learner("Jamie Test");
    let i = a.incident(l, "Messages after college");
    let first = a.bundle_for(&[&b]);
    b.take(&first).expect("first");
    incidents::set_risk(a.h().log_mut(), i, RiskLevel::High, "Threats were made").expect("a");
    incidents::set_risk(b.h().log_mut(), i, RiskLevel::Low, "The messages stopped").expect("b");
    // A note on each side never conflicts.
    incidents::note(a.h().log_mut(), i, "Note from Manchester").expect("note");
    incidents::note(b.h().log_mut(), i, "Note from Leeds").expect("note");
    let to_b = a.bundle_for(&[&b]);
    let to_a = b.bundle_for(&[&a]);
    let got_b = b.take(&to_b).expect("b takes");
    let got_a = a.take(&to_a).expect("a takes");
    assert_eq!(got_a.conflicts.len(), 1, "{got_a:?}");
    assert_eq!(got_b.conflicts.len(), 1, "{got_b:?}");
    assert_eq!(a.tables(), b.tables());
    let list = harbour::read::conflicts::list(a.hr().log().conn(), a.author(), None).expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].sides.len(), 2);
    let labels: Vec<&str> = list[0].sides.iter().map(|s| s.value.as_str()).collect();
    assert!(
        labels.contains(&"high") && labels.contains(&"low"),
        "{labels:?}"
    );
    let chronology: i64 = a
        .hr()
        .log()
        .conn()
        .query_row(
            "SELECT count(*) FROM chronology WHERE incident_id = ?1 AND kind = 'note_added'",
            [i.to_string()],
            |r| r.get(0),
        )
        .expect("notes");
    assert_eq!(chronology, 2);

    let keep = list[0]
        .sides
        .iter()
        .find(|s| s.value == "high")
        .expect("high")
        .event_id
        .clone();
    conflicts::resolve(
        b.h().log_mut(),
        i,
        Field::Risk,
        &keep,
        "Threats outweigh the pause",
    )
    .expect("resolve");
    let to_a = b.bundle_for(&[&a]);
    a.take(&to_a).expect("a takes the choice");
    let to_b = a.bundle_for(&[&b]);
    b.take(&to_b).expect("b");
    for s in [&a, &b] {
        let left =
            harbour::read::conflicts::list(s.hr().log().conn(), s.author(), None).expect("list");
        assert!(left.is_empty(), "{left:?}");
        let risk: String = s
            .hr()
            .log()
            .conn()
            .query_row(
                "SELECT risk_level FROM incidents WHERE id = ?1",
                [i.to_string()],
                |r| r.get(0),
            )
            .expect("risk");
        assert_eq!(risk, "high");
        harbour::store::verify::verify(s.hr().log().conn()).expect("verify");
    }
    assert_eq!(a.tables(), b.tables());
}

#[test]
fn evidence_travels_and_is_stored_under_the_receivers_key() {
    let (mut a, mut b) = pair();
    let item = a.incident_with_evidence();
    let bundle = a.bundle_for(&[&b]);
    let got = b.take(&bundle).expect("import");
    assert_eq!(got.evidence, 1);
    let stored = harbour::ops::evidence::stored_path(&b.dir(), item.item_id);
    let a_stored = harbour::ops::evidence::stored_path(&a.dir(), item.item_id);
    assert!(stored.exists());
    assert_ne!(
        std::fs::read(&stored).expect("b"),
        std::fs::read(&a_stored).expect("a")
    );
    let _ = payload::MAGIC;
}

#[test]
fn an_adapted_procedure_travels_to_peers() {
    let (mut a, mut b) = pair();
    let text = harbour::ops::procedures::copy(a.hr().log(), "prevent")
        .expect("copy")
        .replace("version = 1", "version = 2")
        .replace("Report to the DSL", "Tell the DSL");
    harbour::ops::procedures::adapt(a.h().log_mut(), &text).expect("adapt");
    let bundle = a.bundle_for(&[&b]);
    b.take(&bundle).expect("import");
    let def = harbour::domain::procedures::find_in(b.hr().log().conn(), "prevent").expect("find");
    assert_eq!(def.version, 2);
    assert!(def.steps[0].text.starts_with("Tell the DSL"), "{def:?}");
    harbour::store::verify::verify(b.hr().log().conn()).expect("verify");
}

#[test]
fn an_adapted_form_travels_to_peers_and_is_printed_there() {
    let (mut a, mut b) = pair();
    let text = harbour::ops::forms::copy(a.hr().log(), "online-learning")
        .expect("copy")
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
        .replace(
            "title = \"Consent for online learning\"",
            "title = \"Consent for learning online\"",
        );
    harbour::ops::forms::adapt(a.h().log_mut(), &text).expect("adapt");
    let bundle = a.bundle_for(&[&b]);
    b.take(&bundle).expect("import");
    let conn = b.hr().log().conn();
    let form = harbour::domain::forms::find_in(conn, "online-learning").expect("find");
    assert_eq!(form.version, "2026.2");
    assert_eq!(form.title, "Consent for learning online");
    let listed = harbour::read::forms::list(conn).expect("list");
    let online = listed
        .iter()
        .find(|f| f.id == "online-learning")
        .expect("listed");
    assert!(online.adapted.is_some(), "{online:?}");
    let copied = harbour::domain::forms::template_toml(conn, "online-learning").expect("toml");
    assert!(copied.contains("Consent for learning online"), "{copied}");
    harbour::store::verify::verify(conn).expect("verify");
}
