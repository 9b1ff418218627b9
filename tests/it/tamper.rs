//! Tampering: a byte changed behind Harbour's back, through a raw SQLCipher connection, is
//! found by `harbour verify`, which names the event or row.

use crate::common;

use common::Folder;
use harbour::keys::Passphrase;
use harbour::{Harbour, Unlock};
use rusqlite::Connection;

/// Opens the folder's database directly with SQLCipher and the real key.
fn raw(f: &Folder) -> Connection {
    let h = Harbour::open(
        &f.dir(),
        Unlock::Passphrase(&Passphrase::new(common::PASSPHRASE.into())),
    )
    .expect("open");
    let literal = h.data_key().sqlcipher_literal();
    drop(h);
    let conn = Connection::open(f.dir().join("harbour.db")).expect("raw open");
    conn.pragma_update(None, "key", literal.as_str())
        .expect("key");
    // SQLCipher does not store its page size: a raw connection must give Harbour's.
    conn.pragma_update(None, "cipher_page_size", harbour::store::db::PAGE_SIZE)
        .expect("page size");
    conn
}

fn setup() -> (Folder, String) {
    let f = Folder::new();
    f.init();
    let l1 = f.add_learner("Alex Example", "2009-04-17");
    let l2 = f.add_learner("Jo Sample", "2010-02-03");
    let reference = f.ok(&[
        "incident",
        "new",
        "--category",
        "cyberbullying",
        "--learner",
        &format!("{l1}:subject"),
        "--learner",
        &format!("{l2}:alleged"),
        "--occurred",
        "2026-11-20T15:30",
        "--reporter",
        "Chris Tutor, Assessor",
        "--account",
        "Messages every night after college",
    ]);
    f.ok(&[
        "incident",
        "note",
        &reference,
        "Spoke to both learners separately",
    ]);
    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));
    (f, reference)
}

#[test]
fn a_changed_payload_byte_is_named() {
    let (f, _) = setup();
    let conn = raw(&f);
    let id: String = conn
        .query_row("SELECT id FROM events WHERE kind = 'note_added'", [], |r| {
            r.get(0)
        })
        .expect("note event");
    let payload: String = conn
        .query_row("SELECT payload FROM events WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .expect("payload");
    let changed = payload.replacen("separately", "separatelz", 1);
    assert_ne!(changed, payload);
    conn.execute(
        "UPDATE events SET payload = ?2 WHERE id = ?1",
        [&id, &changed],
    )
    .expect("tamper");
    drop(conn);
    let err = f.fails(&["verify"]);
    assert!(err.contains(&id), "verify did not name event {id}: {err}");
    assert!(err.contains("altered"), "{err}");
}

#[test]
fn a_changed_clock_byte_is_named() {
    let (f, _) = setup();
    let conn = raw(&f);
    let id: String = conn
        .query_row(
            "SELECT id FROM events WHERE kind = 'incident_opened'",
            [],
            |r| r.get(0),
        )
        .expect("event");
    conn.execute("UPDATE events SET hlc_ms = hlc_ms + 1 WHERE id = ?1", [&id])
        .expect("tamper");
    drop(conn);
    let err = f.fails(&["verify"]);
    assert!(
        err.contains(&id) && err.contains("do not match its recorded hash"),
        "{err}"
    );
}

#[test]
fn a_deleted_event_breaks_the_chain() {
    let (f, _) = setup();
    let conn = raw(&f);
    let (id, seq): (String, i64) = conn
        .query_row(
            "SELECT id, seq FROM events WHERE kind = 'learner_added' ORDER BY seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("event");
    conn.execute("DELETE FROM events WHERE id = ?1", [&id])
        .expect("delete");
    drop(conn);
    let err = f.fails(&["verify"]);
    assert!(
        err.contains(&format!("does not follow number {}", seq - 1)),
        "{err}"
    );
}

#[test]
fn a_changed_table_row_is_named() {
    let (f, reference) = setup();
    let conn = raw(&f);
    let id: String = conn
        .query_row(
            "SELECT id FROM incidents WHERE reference = ?1",
            [&reference],
            |r| r.get(0),
        )
        .expect("incident");
    conn.execute(
        "UPDATE incidents SET status = 'closed' WHERE id = ?1",
        [&id],
    )
    .expect("tamper");
    drop(conn);
    let err = f.fails(&["verify"]);
    assert!(
        err.contains("table incidents") && err.contains(&id) && err.contains("status"),
        "{err}"
    );
}

#[test]
fn a_row_added_behind_the_logs_back_is_named() {
    let (f, _) = setup();
    let conn = raw(&f);
    conn.execute(
        "INSERT INTO learners (id, name, dob, centre_code, added_ms) VALUES ('00000000-0000-7000-8000-000000000001', 'Ghost', '2010-01-01', 'MAN', 0)",
        [],
    )
    .expect("insert");
    drop(conn);
    let err = f.fails(&["verify"]);
    assert!(
        err.contains("table learners") && err.contains("00000000-0000-7000-8000-000000000001"),
        "{err}"
    );
}

#[test]
fn a_row_removed_behind_the_logs_back_is_named() {
    let (f, reference) = setup();
    let conn = raw(&f);
    let id: String = conn
        .query_row(
            "SELECT event_id FROM chronology c JOIN incidents i ON i.id = c.incident_id
             WHERE i.reference = ?1 AND c.kind = 'note_added'",
            [&reference],
            |r| r.get(0),
        )
        .expect("entry");
    conn.execute("DELETE FROM chronology WHERE event_id = ?1", [&id])
        .expect("delete");
    drop(conn);
    let err = f.fails(&["verify"]);
    assert!(
        err.contains("table chronology")
            && err.contains(&id)
            && err.contains("missing from the table"),
        "{err}"
    );
}
