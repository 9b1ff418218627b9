//! Subject access requests through the real `harbour` binary: the PDF holds the learner's
//! own record and account and never another learner's name (in their field or inside free
//! text); the redaction list names each redaction; the disclosure is recorded and shown with
//! the learner; evidence files chosen are released decrypted and checked, imagery refused as
//! opening it is; bad input is one sentence that changes nothing and leaves nothing behind.

use crate::common;

use std::path::{Path, PathBuf};

use common::{open_incident, pdf_pages, Folder};
use serde_json::Value;

struct Case {
    alex: String,
    first: String,
    chat: String,
    other_item: String,
}

/// Alex is the subject of one incident in which Jordan is the alleged perpetrator (named in
/// the account and a note), and appears in a second; Jordan alone is in a third, with its
/// own evidence.
fn case(f: &Folder) -> Case {
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let jordan = f.add_learner("Jordan Sample", "2008-02-03");
    let first = f.ok(&[
        "incident",
        "new",
        "--category",
        "cyberbullying",
        "--occurred",
        "2026-11-20T15:30",
        "--reporter",
        "Chris Tutor, Assessor",
        "--account",
        "Alex said that JORDAN SAMPLE posted the photo and jordan laughed about it",
        "--learner",
        &format!("{alex}:subject"),
        "--learner",
        &format!("{jordan}:alleged"),
    ]);
    f.ok(&[
        "incident",
        "note",
        &first,
        "Spoke to Alex; Jordan's friends were there too",
    ]);
    open_incident(f, "malicious-posts", &[(&alex, "witness")]);
    let other = open_incident(f, "cyberbullying", &[(&jordan, "subject")]);
    let chat = f.tmp.path().join("chat log.txt");
    std::fs::write(&chat, b"Messages sent to Alex, 20/11/2026").expect("write");
    let chat: Value = f.json(&[
        "evidence",
        "add",
        &first,
        &chat.to_string_lossy(),
        "--description",
        "Chat log Jordan sent",
    ]);
    let chat_id = chat["item_id"].as_str().expect("item").to_string();
    f.ok(&[
        "evidence",
        "handover",
        &chat_id,
        "--to",
        "Robin Officer",
        "--agency",
        "Example Police",
        "--reference",
        "CR/0001/26",
        "--date",
        "2026-11-21",
    ]);
    let theirs = f.tmp.path().join("theirs.txt");
    std::fs::write(&theirs, b"Only about the other learner").expect("write");
    let theirs: Value = f.json(&[
        "evidence",
        "add",
        &other,
        &theirs.to_string_lossy(),
        "--description",
        "Their own file",
    ]);
    Case {
        alex,
        first,
        chat: chat["item_id"].as_str().expect("item").to_string(),
        other_item: theirs["item_id"].as_str().expect("item").to_string(),
    }
}

fn out_dir(f: &Folder) -> PathBuf {
    let dir = f.tmp.path().join("sar");
    std::fs::create_dir(&dir).expect("out");
    dir
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_document_holds_the_learners_own_record_and_never_another_learners_name() {
    let f = Folder::new();
    let c = case(&f);
    let dir = out_dir(&f);
    let x: Value = f.json(&[
        "sar",
        "export",
        &c.alex,
        "--out",
        &dir.to_string_lossy(),
        "--to",
        "Alex Example",
    ]);
    let pdf = PathBuf::from(x["document"].as_str().expect("document"));
    assert!(pdf.starts_with(&dir));
    let text = pdf_pages(&pdf).join("\n");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Alex Example"), "{flat}");
    assert!(flat.contains("Date of birth: 17/04/2009"), "{flat}");
    assert!(
        flat.contains("Alex said that [another learner (alleged perpetrator)] posted the photo and [another learner (alleged perpetrator)] laughed"),
        "{flat}"
    );
    assert!(
        flat.contains("Chat log [another learner (alleged perpetrator)] sent"),
        "{flat}"
    );
    assert!(flat.contains(&c.first), "{flat}");
    assert!(
        flat.contains("[another learner (alleged perpetrator)]'s friends"),
        "{flat}"
    );
    assert!(flat.contains("[the person who reported it]"), "{flat}");
    for name in [
        "Jordan",
        "JORDAN",
        "jordan",
        "Sample",
        "Chris Tutor",
        "Only about the other",
    ] {
        assert!(!flat.contains(name), "{name} is in the document: {flat}");
    }
    assert_eq!(x["incidents"].as_array().map(Vec::len), Some(2));
    // The learner alone in the third incident is not in Alex's document at all.
    assert!(!flat.contains("Their own file"));
}

#[test]
fn the_redaction_list_names_each_redaction_without_the_names() {
    let f = Folder::new();
    let c = case(&f);
    let dir = out_dir(&f);
    let x: Value = f.json(&["sar", "export", &c.alex, "--out", &dir.to_string_lossy()]);
    let list = std::fs::read_to_string(x["redaction_list"].as_str().expect("list")).expect("read");
    let count = x["redactions"].as_u64().expect("count") as usize;
    let lines: Vec<&str> = list
        .lines()
        .filter(|l| {
            l.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<usize>().is_ok())
        })
        .collect();
    assert_eq!(lines.len(), count, "{list}");
    assert!(
        list.contains(&format!(
            "Incident {}, the account: another learner's name (the 1st name replaced in this passage), shown as [another learner (alleged perpetrator)]",
            c.first
        )),
        "{list}"
    );
    assert!(list.contains(&format!(
        "Incident {}, the account: another learner's name (the 2nd name replaced in this passage)",
        c.first
    )));
    assert!(list.contains(&format!("Incident {}, learners involved", c.first)));
    assert!(list.contains(&format!("Incident {}, reported by", c.first)));
    assert!(
        !list.contains("Jordan") && !list.contains("Chris"),
        "{list}"
    );
}

#[test]
fn the_disclosure_is_recorded_shown_with_the_learner_and_verify_still_passes() {
    let f = Folder::new();
    let c = case(&f);
    let dir = out_dir(&f);
    let x: Value = f.json(&[
        "sar",
        "export",
        &c.alex,
        "--out",
        &dir.to_string_lossy(),
        "--to",
        "Sam Solicitor",
    ]);
    let shown = f.ok(&["learner", "show", &c.alex]);
    assert!(
        shown.contains("Subject access disclosure:") && shown.contains("to Sam Solicitor"),
        "{shown}"
    );
    let json: Value = f.json(&["learner", "show", &c.alex]);
    let d = &json["disclosures"][0];
    assert_eq!(d["to"], "Sam Solicitor");
    assert_eq!(d["incidents"], 2);
    assert_eq!(d["evidence_described"], 1);
    assert_eq!(d["evidence_files"], 0);
    assert_eq!(d["document_sha256"], x["document_sha256"]);
    f.ok(&["verify"]);
}

#[test]
fn an_evidence_file_chosen_is_released_byte_for_byte_and_its_release_logged() {
    let f = Folder::new();
    let c = case(&f);
    let dir = out_dir(&f);
    let x: Value = f.json(&[
        "sar",
        "export",
        &c.alex,
        "--out",
        &dir.to_string_lossy(),
        "--include-evidence",
        &c.chat,
    ]);
    let files = x["evidence_files"].as_array().expect("files");
    assert_eq!(files.len(), 1);
    let copy = PathBuf::from(files[0].as_str().expect("path"));
    assert_eq!(
        std::fs::read(&copy).expect("copy"),
        b"Messages sent to Alex, 20/11/2026"
    );
    let name = copy
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(name.ends_with(".txt") && !name.contains("chat"), "{name}");
    let text = pdf_pages(Path::new(x["document"].as_str().expect("pdf"))).join(" ");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&name), "{flat}");
    let list = f.ok(&["evidence", "list", &c.first]);
    assert!(list.contains("subject access disclosure"), "{list}");
    f.ok(&["verify"]);
}

fn refused_changes_nothing(f: &Folder, dir: &Path, args: &[&str], says: &str) {
    let before = f.snapshot();
    let err = f.fails(args);
    assert!(err.contains(says), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(f.snapshot(), before, "the data folder changed");
    assert!(
        files_in(dir).is_empty(),
        "left in the folder: {:?}",
        files_in(dir)
    );
}

#[test]
fn a_learner_who_does_not_exist_is_one_sentence_and_changes_nothing() {
    let f = Folder::new();
    case(&f);
    let dir = out_dir(&f);
    let d = dir.to_string_lossy().into_owned();
    refused_changes_nothing(
        &f,
        &dir,
        &["sar", "export", "ffffffff", "--out", &d],
        "No learner matches \"ffffffff\".",
    );
}

#[test]
fn an_out_folder_that_does_not_exist_is_one_sentence_and_changes_nothing() {
    let f = Folder::new();
    let c = case(&f);
    let dir = out_dir(&f);
    let missing = f.tmp.path().join("no-such-folder");
    refused_changes_nothing(
        &f,
        &dir,
        &[
            "sar",
            "export",
            &c.alex,
            "--out",
            &missing.to_string_lossy(),
        ],
        "does not exist; choose a folder to write the disclosure into.",
    );
    assert!(!missing.exists());
}

#[test]
fn an_evidence_item_that_is_not_the_learners_is_refused_and_changes_nothing() {
    let f = Folder::new();
    let c = case(&f);
    let dir = out_dir(&f);
    let d = dir.to_string_lossy().into_owned();
    refused_changes_nothing(
        &f,
        &dir,
        &[
            "sar",
            "export",
            &c.alex,
            "--out",
            &d,
            "--include-evidence",
            &c.chat,
            &c.other_item,
        ],
        "is not from an incident Alex Example appears in, so it cannot be released with their records.",
    );
}

#[test]
fn imagery_that_cannot_be_opened_cannot_be_released_either() {
    let f = Folder::new();
    let c = case(&f);
    let dir = out_dir(&f);
    let png = f.tmp.path().join("picture.txt");
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    bytes.extend_from_slice(&[0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1]);
    bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]);
    std::fs::write(&png, &bytes).expect("write");
    let item: Value = f.json(&[
        "evidence",
        "add",
        &c.first,
        &png.to_string_lossy(),
        "--description",
        "A picture",
    ]);
    let item = item["item_id"].as_str().expect("item").to_string();
    f.ok(&["incident", "categorise", &c.first, "--category", "nudes"]);
    let open = f.fails(&[
        "evidence",
        "open",
        &item,
        "--out",
        &f.tmp.path().join("copy").to_string_lossy(),
    ]);
    let first_sentence = open.lines().next().unwrap_or_default().to_string();
    let d = dir.to_string_lossy().into_owned();
    let before = f.snapshot();
    let err = f.fails(&[
        "sar",
        "export",
        &c.alex,
        "--out",
        &d,
        "--include-evidence",
        &item,
    ]);
    assert_eq!(
        err.lines().next().unwrap_or_default(),
        first_sentence,
        "{err}"
    );
    assert_eq!(f.snapshot(), before);
    assert!(files_in(&dir).is_empty());
}

/// An allegation about the person using this device is left out of the document made on
/// it, as from every view on it; the coordinator who recorded it sees it in theirs.
#[test]
fn an_allegation_about_this_devices_user_is_left_out_as_from_every_view() {
    use harbour::api::sar::{export_sar, SarExportRequest};

    let (mut a, mut b, jamie, allegation) =
        crate::sync_support::allegation_about_the_second_device();

    let request = |dir: &Path| SarExportRequest {
        learner: jamie.to_string(),
        out_dir: dir.to_path_buf(),
        to: None,
        include_evidence: vec![],
    };
    let out_b = b.tmp.path().join("out");
    std::fs::create_dir(&out_b).expect("out");
    let on_b = export_sar(b.h(), request(&out_b)).expect("export on b");
    assert_eq!(on_b.incidents.len(), 1);
    let text = pdf_pages(&on_b.document).join(" ");
    assert!(
        !text.contains("Quokka") && !text.contains(&allegation.reference),
        "{text}"
    );

    let out_a = a.tmp.path().join("out");
    std::fs::create_dir(&out_a).expect("out");
    let on_a = export_sar(a.h(), request(&out_a)).expect("export on a");
    assert_eq!(on_a.incidents.len(), 2);
    assert!(pdf_pages(&on_a.document).join(" ").contains("Quokka"));
}
