//! Imagery is never stored on a sharing-nudes or up-skirting incident, whatever wraps it:
//! real-shaped files built here (a chat export ZIP, an e-mail with a photo attached, a Word
//! document, a PDF with an image object, archives inside archives, a saved web page, an
//! Outlook message) are refused through the real binary with nothing changed, files that
//! cannot be looked into are refused with the reason, and text-only ones are accepted. A
//! bundle from another device keeps its events and refuses the file, naming it.

use std::io::{Cursor, Write};

use crate::common;
use crate::sync_support::{introduce, Site};

use common::{open_incident, snapshot_all, Folder};
use serde_json::Value;

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
];
/// A whole 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];
const CHAT: &[u8] = b"20/11/2026, 15:30 - Alex: stop sending that\n20/11/2026, 15:31 - Sam: ok\n";

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).expect("start entry");
        w.write_all(bytes).expect("write entry");
    }
    w.finish().expect("finish zip").into_inner()
}

fn base64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

fn eml(attachment: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut m = String::from(
        "From: Someone <someone@example.org>\r\nTo: alex@example.org\r\nSubject: look\r\n\
         Date: Fri, 20 Nov 2026 15:30:00 +0000\r\nMessage-ID: <1@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nSee what everyone is sharing.\r\n",
    );
    if let Some((name, ctype, bytes)) = attachment {
        m.push_str(&format!(
            "--b1\r\nContent-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64(bytes)
        ));
    }
    m.push_str("--b1--\r\n");
    m.into_bytes()
}

fn docx(with_picture: bool) -> Vec<u8> {
    let types = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let doc = br#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Statement</w:t></w:r></w:p></w:body></w:document>"#;
    let mut entries: Vec<(&str, &[u8])> =
        vec![("[Content_Types].xml", types), ("word/document.xml", doc)];
    if with_picture {
        // Named without an extension, so only its bytes say what it is.
        entries.push(("word/media/image1", PNG));
    }
    zip_of(&entries)
}

/// A one-page PDF; with `image`, the page draws a 1×1 image XObject.
fn pdf(image: bool) -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut resources = dictionary! { "Font" => dictionary! { "F1" => font_id } };
    let mut ops = b"BT /F1 12 Tf 72 720 Td (Statement) Tj ET\n".to_vec();
    if image {
        let img = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            vec![0x80],
        );
        let img_id = doc.add_object(img);
        resources.set("XObject", dictionary! { "Im0" => img_id });
        ops.extend_from_slice(b"q 100 0 0 100 72 500 cm /Im0 Do Q\n");
    }
    let content_id = doc.add_object(Stream::new(dictionary! {}, ops));
    let resources_id = doc.add_object(resources);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save pdf");
    out
}

/// An Outlook message (an OLE compound file) with one attachment, as Outlook lays it out.
fn msg(attachment: &[u8]) -> Vec<u8> {
    fn put(cf: &mut cfb::CompoundFile<Cursor<Vec<u8>>>, path: &str, bytes: &[u8]) {
        cf.create_stream(path)
            .expect("stream")
            .write_all(bytes)
            .expect("write stream");
    }
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("create msg");
    put(&mut cf, "/__properties_version1.0", &[0u8; 32]);
    put(&mut cf, "/__substg1.0_0037001F", &utf16("look"));
    put(&mut cf, "/__substg1.0_1000001F", &utf16("See attached."));
    cf.create_storage("/__attach_version1.0_#00000000")
        .expect("attachment storage");
    let at = "/__attach_version1.0_#00000000";
    put(
        &mut cf,
        &format!("{at}/__substg1.0_3707001F"),
        &utf16("scan0001.dat"),
    );
    put(&mut cf, &format!("{at}/__substg1.0_37010102"), attachment);
    cf.flush().expect("flush");
    cf.into_inner().into_inner()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn log_count(f: &Folder) -> u64 {
    let v: Value = f.json(&["verify"]);
    v["events"].as_u64().expect("events")
}

fn write(f: &Folder, name: &str, bytes: &[u8]) -> String {
    let p = f.tmp.path().join(name);
    std::fs::write(&p, bytes).expect("write file");
    p.to_string_lossy().into_owned()
}

/// A folder with a sharing-nudes incident; its reference.
fn nudes_incident() -> (Folder, String) {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "nudes", &[(&alex, "subject")]);
    (f, reference)
}

/// Adds a file and insists it is refused with `expect` in the sentence and nothing changed.
fn refused(f: &Folder, reference: &str, name: &str, bytes: &[u8], expect: &str) {
    let path = write(f, name, bytes);
    let before = snapshot_all(&f.dir());
    let events = log_count(f);
    let err = f.fails(&["evidence", "add", reference, &path, "--description", "Item"]);
    assert!(
        err.starts_with("Harbour will not store this file: ")
            && err.contains("record instead that the imagery exists")
            && err.contains(expect),
        "{name}: {err}"
    );
    assert_eq!(err.lines().count(), 1, "{name}: one sentence block: {err}");
    assert!(snapshot_all(&f.dir().join("evidence")).is_empty(), "{name}");
    assert_eq!(log_count(f), events, "{name} changed the log");
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        snapshot_all(&f.dir()).keys().collect::<Vec<_>>(),
        "{name} left a file behind"
    );
}

fn accepted(f: &Folder, reference: &str, name: &str, bytes: &[u8]) {
    let path = write(f, name, bytes);
    f.ok(&["evidence", "add", reference, &path, "--description", name]);
}

#[test]
fn a_chat_export_zip_with_a_photo_is_refused_naming_the_photo() {
    let (f, r) = nudes_incident();
    let export = zip_of(&[
        ("WhatsApp Chat with Sam.txt", CHAT),
        // The photo's name says nothing: its bytes do.
        ("00000017-attachment", JPEG),
    ]);
    refused(
        &f,
        &r,
        "WhatsApp Chat with Sam.zip",
        &export,
        "00000017-attachment",
    );
    refused(&f, &r, "export.zip", &export, "JPEG image");
}

#[test]
fn an_e_mail_with_a_base64_png_attached_is_refused() {
    let (f, r) = nudes_incident();
    refused(
        &f,
        &r,
        "look.eml",
        &eml(Some(("IMG_0001.png", "image/png", PNG))),
        "IMG_0001.png",
    );
    // Sent as "application/octet-stream" under a dull name: its bytes still tell.
    refused(
        &f,
        &r,
        "fwd.eml",
        &eml(Some(("scan.bin", "application/octet-stream", PNG))),
        "PNG image",
    );
}

#[test]
fn a_word_document_with_a_picture_is_refused_and_one_without_is_accepted() {
    let (f, r) = nudes_incident();
    refused(&f, &r, "statement.docx", &docx(true), "word/media/image1");
    accepted(&f, &r, "statement-text.docx", &docx(false));
}

#[test]
fn a_pdf_with_an_image_object_is_refused_and_a_text_pdf_is_accepted() {
    let (f, r) = nudes_incident();
    refused(&f, &r, "screenshots.pdf", &pdf(true), "image");
    accepted(&f, &r, "statement.pdf", &pdf(false));
}

#[test]
fn archives_inside_archives_are_looked_into() {
    let (f, r) = nudes_incident();
    let inner = zip_of(&[("notes.txt", JPEG)]);
    let middle = zip_of(&[("readme.txt", b"see inner"), ("inner.zip", &inner)]);
    let outer = zip_of(&[("download/middle.zip", &middle)]);
    refused(
        &f,
        &r,
        "download.zip",
        &outer,
        "\u{201c}notes.txt\u{201d} in \u{201c}inner.zip\u{201d}",
    );
    // A document inside an archive is looked into too.
    let with_doc = zip_of(&[("mail/look.eml", &eml(Some(("a.png", "image/png", PNG))))]);
    refused(&f, &r, "mail.zip", &with_doc, "a.png");
}

#[test]
fn a_saved_web_page_with_a_picture_written_into_it_is_refused() {
    let (f, r) = nudes_incident();
    let page = format!(
        "<!doctype html><html><body><p>Profile</p><img src=\"data:image/png;base64,{}\"></body></html>",
        base64(PNG)
    );
    refused(
        &f,
        &r,
        "profile.html",
        page.as_bytes(),
        "written into the page",
    );
    let mhtml = format!(
        "From: <Saved by Blink>\r\nSnapshot-Content-Location: https://example.invalid/p\r\nSubject: Profile\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/related; type=\"text/html\"; boundary=\"m\"\r\n\r\n\
         --m\r\nContent-Type: text/html\r\n\r\n<html><img src=\"cid:x\"></html>\r\n\
         --m\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-Location: https://example.invalid/x.png\r\n\r\n{}\r\n--m--\r\n",
        base64(PNG)
    );
    refused(&f, &r, "profile.mhtml", mhtml.as_bytes(), "image");
    accepted(
        &f,
        &r,
        "plain.html",
        b"<html><body><p>Only words</p></body></html>",
    );
}

#[test]
fn an_outlook_message_with_a_photo_attached_is_refused() {
    let (f, r) = nudes_incident();
    refused(&f, &r, "look.msg", &msg(JPEG), "JPEG image");
    accepted(&f, &r, "words.msg", &msg(b"Just a note, no picture."));
}

#[test]
fn text_only_archives_and_e_mails_are_accepted() {
    let (f, r) = nudes_incident();
    accepted(&f, &r, "chat.zip", &zip_of(&[("chat.txt", CHAT)]));
    accepted(&f, &r, "plain.eml", &eml(None));
    accepted(
        &f,
        &r,
        "with-text.eml",
        &eml(Some(("notes.txt", "text/plain", b"names and times"))),
    );
    let v: Value = f.json(&["evidence", "list", &r]);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(3));
}

#[test]
fn what_cannot_be_looked_into_is_refused_with_the_reason() {
    let (f, r) = nudes_incident();
    // A ZIP whose entry is marked as protected with a password.
    let mut locked = zip_of(&[("chat.txt", CHAT)]);
    locked[6] |= 1; // local header: general purpose flag, bit 0 (encrypted)
    let cd = find(&locked, b"PK\x01\x02").expect("central directory");
    locked[cd + 8] |= 1;
    refused(&f, &r, "locked.zip", &locked, "protected with a password");

    // A damaged ZIP: cut short, so its directory is gone.
    let whole = zip_of(&[("chat.txt", CHAT), ("more.txt", CHAT)]);
    refused(
        &f,
        &r,
        "cut.zip",
        &whole[..whole.len() - 30],
        "damaged or incomplete",
    );

    // Archives nested deeper than Harbour looks.
    let mut nested = zip_of(&[("chat.txt", CHAT)]);
    for _ in 0..harbour::domain::imagery::MAX_DEPTH + 1 {
        nested = zip_of(&[("next.zip", &nested)]);
    }
    refused(&f, &r, "deep.zip", &nested, "nested more than");

    // A kind of archive Harbour cannot open.
    refused(
        &f,
        &r,
        "photos.7z",
        b"7z\xBC\xAF\x27\x1C\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00",
        "7-Zip",
    );
}

#[test]
fn the_command_line_adds_how_to_record_the_imagery_there() {
    let (f, r) = nudes_incident();
    let path = write(&f, "export.zip", &zip_of(&[("a.jpg", JPEG)]));
    let err = f.fails(&["evidence", "add", &r, &path, "--description", "Export"]);
    assert!(err.contains("harbour evidence imagery"), "{err}");
    let json = f.run(&[
        "--json",
        "evidence",
        "add",
        &r,
        &path,
        "--description",
        "Export",
    ]);
    let v: Value = serde_json::from_slice(&json.stderr).expect("json error");
    assert_eq!(v["error"]["code"], "imagery_refused");
}

#[test]
fn on_other_incidents_the_same_files_are_stored() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let r = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    accepted(
        &f,
        &r,
        "export.zip",
        &zip_of(&[("a.jpg", JPEG), ("chat.txt", CHAT)]),
    );
}

/// Stores a file on an incident as an older Harbour would have (it looked only at the first
/// bytes, so a ZIP holding a photo passed), and records it.
fn store_as_older_build(
    site: &mut Site,
    incident: uuid::Uuid,
    name: &str,
    bytes: &[u8],
) -> uuid::Uuid {
    let h = site.h();
    let item = uuid::Uuid::now_v7();
    let src = h.dir().join(format!("{item}.src"));
    std::fs::write(&src, bytes).expect("write");
    let dest = harbour::ops::evidence::stored_path(h.dir(), item);
    std::fs::create_dir_all(dest.parent().expect("folder")).expect("evidence folder");
    let master = harbour_evidence::MasterKey::from_bytes(*h.data_key().expose());
    let summary =
        harbour_evidence::store_file(&master, &item.to_string(), &src, &dest).expect("store");
    std::fs::remove_file(&src).expect("remove");
    h.log_mut()
        .append(harbour::log::Body::EvidenceCaptured(
            harbour::log::EvidenceCaptured {
                incident_id: incident,
                item_id: item,
                description: "Chat export".into(),
                shows: None,
                source: None,
                username: None,
                platform: None,
                device_held_by: None,
                device_location: None,
                captured_by: "Sam Example".into(),
                captured_at: chrono::Utc::now(),
                file_name: name.into(),
                file_modified: None,
                size: summary.size,
                sha256: summary.sha256,
                imagery: None,
                looked_into: false,
            },
        ))
        .expect("record");
    item
}

#[test]
fn a_bundle_keeps_the_event_and_refuses_the_file_naming_it() {
    let mut sites = [
        Site::new("BOL", "Sam Example"),
        Site::new("LEE", "Robin Example"),
    ];
    introduce(&mut sites);
    let [mut a, mut b] = sites;

    let learner = a.learner("Jamie Test");
    let incident = harbour::ops::incidents::open(
        a.h().log_mut(),
        harbour::ops::incidents::NewIncident {
            learners: vec![(learner.to_string(), harbour::domain::LearnerRole::Subject)],
            categories: vec!["nudes".into()],
            account: "A photo was shared in the group chat".into(),
            occurred_at: chrono::Utc::now() - chrono::Duration::days(1),
            reported_at: None,
            place: None,
            reporter: harbour::domain::Reporter {
                name: "Chris Tutor".into(),
                job_title: "Assessor".into(),
            },
            centre: None,
            concerns_staff: None,
            first_actions: None,
            procedures: vec![],
        },
    )
    .expect("incident");
    let zip = zip_of(&[("chat.txt", CHAT), ("IMG-0001.jpg", JPEG)]);
    let item = store_as_older_build(&mut a, incident.id, "WhatsApp Chat.zip", &zip);
    let text = store_as_older_build(
        &mut a,
        incident.id,
        "chat.zip",
        &zip_of(&[("chat.txt", CHAT)]),
    );

    let bundle = a.bundle_for(&[&b]);
    let got = b.take(&bundle).expect("import");
    assert_eq!(got.evidence, 1, "only the text-only file is stored");
    assert_eq!(got.refused_files.len(), 1, "{:?}", got.refused_files);
    assert!(
        got.refused_files[0].contains("WhatsApp Chat.zip")
            && got.refused_files[0].contains(&incident.reference)
            && got.refused_files[0].contains("IMG-0001.jpg"),
        "{:?}",
        got.refused_files
    );
    assert!(
        got.describe().contains("WhatsApp Chat.zip"),
        "{}",
        got.describe()
    );
    // The events are kept: both items are on the record at B.
    let items = harbour::read::evidence::items(b.hr().log().conn(), incident.id).expect("items");
    assert_eq!(items.len(), 2);
    // The refused file was never written at B; the other one was.
    assert!(!harbour::ops::evidence::stored_path(&b.dir(), item).exists());
    assert!(harbour::ops::evidence::stored_path(&b.dir(), text).exists());
    assert!(snapshot_all(&b.dir().join("evidence")).len() == 1);
}

#[test]
fn a_nudes_category_added_later_flags_the_imagery_locks_it_and_leaves_hand_over_then_erasure() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let r = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let export = write(
        &f,
        "export.zip",
        &zip_of(&[("chat.txt", CHAT), ("a.jpg", JPEG)]),
    );
    let photo: Value = f.json(&[
        "evidence",
        "add",
        &r,
        &export,
        "--description",
        "Chat export",
    ]);
    let photo = photo["item_id"].as_str().expect("id").to_string();
    let text = write(&f, "chat.txt", CHAT);
    let chat: Value = f.json(&["evidence", "add", &r, &text, "--description", "Chat log"]);
    let chat = chat["item_id"].as_str().expect("id").to_string();
    let shown: Value = f.json(&["incident", "show", &r]);
    assert_eq!(shown["imagery_held"].as_array().map(Vec::len), Some(0));

    // It turns out to be about sharing nudes: said at once, on the incident.
    let said = f.ok(&["incident", "categorise", &r, "--category", "nudes"]);
    assert!(
        said.contains("IMAGERY HELD") && said.contains("export.zip") && !said.contains("chat.txt"),
        "{said}"
    );
    let shown: Value = f.json(&["incident", "show", &r]);
    let held = shown["imagery_held"].as_array().expect("held");
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["item_id"], photo.as_str());
    assert!(held[0]["what"].as_str().unwrap_or("").contains("a.jpg"));
    assert!(shown["summary"]["categories"]
        .as_array()
        .expect("categories")
        .contains(&Value::from("nudes")));
    let page = f.ok(&["incident", "show", &r]);
    assert!(
        page.contains("IMAGERY HELD") && page.contains("hand it over"),
        "{page}"
    );

    // No one can open a copy of it; the text-only item still opens.
    let out = f.tmp.path().join("copy.zip");
    let events = log_count(&f);
    let err = f.fails(&["evidence", "open", &photo, "--out", &out.to_string_lossy()]);
    assert!(
        err.contains("cannot be opened") && err.contains(&r),
        "{err}"
    );
    assert!(!out.exists());
    assert_eq!(log_count(&f), events);
    let out_text = f.tmp.path().join("chat-copy.txt");
    f.ok(&[
        "evidence",
        "open",
        &chat,
        "--out",
        &out_text.to_string_lossy(),
    ]);

    // The lawful routes: hand-over to the police, then erasure, each recorded.
    f.ok(&[
        "evidence",
        "handover",
        &photo,
        "--to",
        "PC Example",
        "--agency",
        "Example Police",
        "--reference",
        "CRIME-1",
    ]);
    let err = f.fails(&["evidence", "erase", &chat, "--reason", "Tidying"]);
    assert!(err.contains("is kept"), "{err}");
    f.ok(&[
        "evidence",
        "erase",
        &photo,
        "--reason",
        "Handed to the police; deleted as the guidance requires",
    ]);
    let stored = f.dir().join("evidence").join(format!("{photo}.hbev"));
    assert!(!stored.exists(), "the copy is gone");
    let shown: Value = f.json(&["incident", "show", &r]);
    assert_eq!(shown["imagery_held"].as_array().map(Vec::len), Some(0));
    let list: Value = f.json(&["evidence", "list", &r]);
    let item = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == photo.as_str())
        .expect("the record stays");
    assert_eq!(item["status"], "erased");
    let actions: Vec<&str> = item["custody"]
        .as_array()
        .expect("custody")
        .iter()
        .filter_map(|c| c["action"].as_str())
        .collect();
    assert_eq!(actions, ["captured", "handed_over", "erased"]);
    let err = f.fails(&["evidence", "open", &photo, "--out", &out.to_string_lossy()]);
    assert!(err.contains("was erased"), "{err}");
    f.ok(&["verify"]);
    let events_before_damage = log_count(&f);

    // A copy that outlived its erasure (the process stopped between the two steps) is named
    // by verify, and erasing again finishes the job.
    std::fs::write(&stored, b"left behind").expect("put back");
    let err = f.fails(&["verify"]);
    assert!(
        err.contains("was erased") && err.contains("still in the evidence store"),
        "{err}"
    );
    f.ok(&[
        "evidence",
        "erase",
        &photo,
        "--reason",
        "Finishing the erasure",
    ]);
    assert!(!stored.exists(), "the copy is gone");
    f.ok(&["verify"]);
    assert_eq!(log_count(&f), events_before_damage, "nothing new to record");

    // A backup of the folder holds no copy of the erased imagery, checks, and restores.
    let usb = f.tmp.path().join("usb");
    std::fs::create_dir_all(&usb).expect("usb");
    let made: Value = f.json(&["backup", "create", "--out", &usb.to_string_lossy()]);
    let file = made["file"].as_str().expect("file").to_string();
    let checked = f.ok(&["backup", "verify", &file]);
    assert!(checked.starts_with("This backup of"), "{checked}");
    let laptop = crate::common::Folder::new();
    let restored = laptop.ok(&["backup", "restore", &file]);
    assert!(restored.starts_with("Restored"), "{restored}");
    assert!(!laptop
        .dir()
        .join("evidence")
        .join(format!("{photo}.hbev"))
        .exists());
    laptop.ok(&["verify"]);
}

#[test]
fn a_category_cannot_be_added_twice_nor_a_staff_allegation_afterwards() {
    let (f, r) = nudes_incident();
    let err = f.fails(&["incident", "categorise", &r, "--category", "nudes"]);
    assert!(err.contains("already"), "{err}");
    let err = f.fails(&[
        "incident",
        "categorise",
        &r,
        "--category",
        "allegation-staff",
    ]);
    assert!(err.contains("cannot be added"), "{err}");
    let err = f.fails(&["incident", "categorise", &r, "--category", "no-such"]);
    assert!(err.contains("is not a category"), "{err}");
}
