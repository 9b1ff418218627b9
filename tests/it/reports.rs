//! The quarterly report: figures for any period, a PDF with no learner named unless asked.

use crate::common;

use common::{pdf_pages, render_pngs, Folder};

fn incident(f: &Folder, learner: &str, category: &str, occurred: &str) -> String {
    f.ok(&[
        "incident",
        "new",
        "--category",
        category,
        "--learner",
        &format!("{learner}:subject"),
        "--occurred",
        occurred,
        "--reported",
        occurred,
        "--reporter",
        "Chris Tutor, Assessor",
        "--account",
        "Messages in a group chat",
    ])
}

#[test]
fn the_quarterly_report_counts_and_names_no_one() {
    let f = Folder::new();
    f.init();
    f.ok(&["org", "policy-review", "2027-03-31"]);
    let alex = f.add_learner("Alex Quarterly", "2010-03-01");
    let jo = f.add_learner("Jo Quarterly", "2009-05-10");
    let first = incident(&f, &alex, "cyberbullying", "2026-10-05T10:00");
    incident(&f, &jo, "cyberbullying", "2026-11-02T14:00");
    incident(&f, &jo, "grooming", "2026-11-03T09:00");
    incident(&f, &alex, "cyberbullying", "2026-08-10T11:00");
    f.ok(&[
        "incident",
        "refer",
        &first,
        "--agency",
        "police",
        "--person",
        "Sam Example",
        "--date",
        "2026-10-06",
    ]);
    f.ok(&[
        "incident",
        "action",
        &first,
        "--description",
        "Weekly check-in",
        "--owner",
        "Sam Example",
        "--due",
        "2026-10-12",
    ]);
    f.ok(&[
        "incident",
        "close",
        &first,
        "--outcome",
        "Resolved",
        "--reason",
        "Messages stopped",
    ]);

    let v = f.json(&[
        "report",
        "quarterly",
        "--quarter",
        "2026-Q4",
        "--out",
        f.tmp.path().join("q.pdf").to_str().expect("path"),
    ]);
    assert_eq!(v["incidents"], 3);
    assert_eq!(v["incidents_previous"], 1);
    let cyber = v["by_category"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["key"] == "cyberbullying")
        .expect("cyberbullying")
        .clone();
    assert_eq!(
        (cyber["current"].as_u64(), cyber["previous"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(v["referrals_by_agency"][0]["label"], "Police");
    assert_eq!(v["open_cases"].as_array().expect("open").len(), 3);
    assert_eq!(v["overdue_actions"][0]["description"], "Weekly check-in");
    assert_eq!(v["by_month"].as_array().expect("months").len(), 6);
    assert!(v["named"].as_array().expect("named").is_empty());

    let pdf = f.tmp.path().join("q.pdf");
    let text = pdf_pages(&pdf).join("\n");
    assert!(
        text.contains("2026-Q4") && text.contains("2026-Q3"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains("Cyberbullying and harassment") && !l.contains("By "))
        .expect("category row");
    let numbers: Vec<&str> = line
        .split_whitespace()
        .filter(|w| w.parse::<u32>().is_ok())
        .collect();
    assert_eq!(numbers, ["2", "1"], "{line}");
    assert!(text.contains("Grooming and sexual exploitation"));
    assert!(text.contains("31/03/2027"), "policy review date");
    assert!(text.contains("Weekly check-in"));
    assert!(!text.contains("Alex Quarterly") && !text.contains("Jo Quarterly"));
    assert!(text.contains("This report names no learner."));
    let png = f.tmp.path().join("png");
    std::fs::create_dir(&png).expect("folder");
    assert!(render_pngs(&pdf, &png) >= 1);

    // With --named, an appendix names the learners.
    let named = f.tmp.path().join("named.pdf");
    f.ok(&[
        "report",
        "quarterly",
        "--quarter",
        "2026-Q4",
        "--named",
        "--out",
        named.to_str().expect("path"),
    ]);
    let text = pdf_pages(&named).join("\n");
    assert!(text.contains("Alex Quarterly") && text.contains("Jo Quarterly"));
    assert!(text.contains("Appendix"));

    let err = f.fails(&[
        "report",
        "quarterly",
        "--quarter",
        "2026-Q5",
        "--out",
        "x.pdf",
    ]);
    assert_eq!(
        err,
        "\"2026-Q5\" is not a quarter: write it as the year and quarter, e.g. 2026-Q4 or Q4 2026."
    );
}

#[test]
fn recovery_sheets_with_and_without_the_key() {
    let f = Folder::new();
    let sheet = f.tmp.path().join("setup-sheet.pdf");
    let v = f.json(&[
        "init",
        "--org",
        "Northbridge Training",
        "--centre",
        "MAN",
        "Manchester",
        "--coordinator",
        "Sam Example",
        "--role",
        "Designated Safeguarding Lead",
        "--recovery-sheet",
        sheet.to_str().expect("path"),
    ]);
    let key = v["recovery_key"].as_str().expect("key").to_string();
    let groups: Vec<&str> = key.split('-').collect();
    let text = pdf_pages(&sheet).join("\n");
    for g in &groups {
        assert!(text.contains(g), "group {g} missing from the set-up sheet");
    }
    assert!(text.contains("Northbridge Training"));

    // Later: without the key, said plainly, with the folder id.
    let plain = f.tmp.path().join("plain.pdf");
    let v = f.json(&[
        "recovery-sheet",
        "--without-key",
        "--out",
        plain.to_str().expect("path"),
    ]);
    let text = pdf_pages(&plain).join("\n");
    assert!(text.contains("does NOT show the recovery key"));
    assert!(text.contains(v["folder_id"].as_str().expect("id")));
    for g in &groups {
        assert!(!text.contains(g));
    }

    // With the key: it is checked against this folder first.
    let with = f.tmp.path().join("with.pdf");
    let out = f.run_with(
        &["recovery-sheet", "--out", with.to_str().expect("path")],
        &[
            ("HARBOUR_PASSPHRASE", common::PASSPHRASE),
            ("HARBOUR_RECOVERY_KEY", &key),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(pdf_pages(&with).join("\n").contains(groups[0]));

    let other = Folder::new();
    let other_key = other.init();
    let err = f.fails_with(
        &[
            "recovery-sheet",
            "--out",
            f.tmp.path().join("no.pdf").to_str().expect("path"),
        ],
        &[
            ("HARBOUR_PASSPHRASE", common::PASSPHRASE),
            ("HARBOUR_RECOVERY_KEY", &other_key),
        ],
    );
    assert_eq!(
        err,
        "That recovery key does not unlock this Harbour data folder."
    );
    assert!(!f.tmp.path().join("no.pdf").exists());
}
