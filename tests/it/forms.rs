//! Printing induction forms: a cohort of mixed ages, read back with the real `pdftotext`.

use crate::common;

use common::{pdf_pages, render_pngs, Folder};

const COHORT: &str = "name,dob,centre,carer_name,carer_relationship
Alex Sixteen,2010-03-01,MAN,Pat Sixteen,Mother
Jo Seventeen,2009-05-10,MAN,Chris Seventeen,Father
Sam Turning,2008-09-07,MAN,,
Priya Nineteen,2007-01-15,MAN,,
";

/// The pages that belong to a learner (their name is on the page).
fn pages_of<'a>(pages: &'a [String], name: &str) -> Vec<&'a String> {
    pages.iter().filter(|p| p.contains(name)).collect()
}

#[test]
fn a_cohort_of_mixed_ages_gets_the_right_forms() {
    let f = Folder::new();
    f.init();
    let csv = f.tmp.path().join("new-starters.csv");
    std::fs::write(&csv, COHORT).expect("write CSV");
    let pdf = f.tmp.path().join("induction.pdf");
    let v = f.json(&[
        "forms",
        "print",
        "--cohort",
        csv.to_str().expect("path"),
        "--induction",
        "2026-09-07",
        "--out",
        pdf.to_str().expect("path"),
    ]);
    assert_eq!(v["imported"], 4);
    let pages = pdf_pages(&pdf);
    assert_eq!(v["pages"].as_u64(), Some(pages.len() as u64));

    // Every page, a form's continuation pages included, names exactly one learner, and each
    // learner's pages come together: their forms start on a new page.
    let names = [
        "Alex Sixteen",
        "Jo Seventeen",
        "Sam Turning",
        "Priya Nineteen",
    ];
    let mut order: Vec<&str> = Vec::new();
    let mut continuation_pages = 0;
    for (i, p) in pages.iter().enumerate() {
        let on_page: Vec<&str> = names.iter().copied().filter(|n| p.contains(*n)).collect();
        assert_eq!(
            on_page.len(),
            1,
            "page {} should name exactly one learner:\n{p}",
            i + 1
        );
        if order.last() != Some(&on_page[0]) {
            assert!(
                !order.contains(&on_page[0]),
                "{}'s pages are not together",
                on_page[0]
            );
            order.push(on_page[0]);
        }
        // The form and its version are on every page, in the footer.
        assert!(p.contains(" version 2026.1"), "page {}:\n{p}", i + 1);
        if !p.contains("Date of birth") {
            continuation_pages += 1;
        }
        assert!(p.contains(&format!("Page {} of {}", i + 1, pages.len())));
        assert!(p.contains("Northbridge Training"));
    }
    assert_eq!(order, names);
    assert!(
        continuation_pages > 0,
        "no form ran onto a second page, so continuation pages were not checked"
    );

    for name in names {
        let mine = pages_of(&pages, name);
        assert!(!mine.is_empty(), "{name} is missing from the PDF");
        let text = mine
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text.contains("07/09/2026"), "induction date for {name}");
        assert!(text.contains("learner-aup version 2026.1"), "{name}: AUP");
        assert!(
            text.contains("photo-video version 2026.1"),
            "{name}: photo and video"
        );
        let under_18 = name == "Alex Sixteen" || name == "Jo Seventeen";
        assert_eq!(
            text.contains("online-learning version 2026.1"),
            under_18,
            "{name}: online learning form only for under-18s"
        );
        assert_eq!(
            text.contains("To be signed by a parent or carer"),
            under_18,
            "{name}: parental signature only for under-18s"
        );
        if !under_18 {
            assert!(text.contains("so they give or refuse consent themselves"));
            assert!(text.contains("Relationship: Self"));
        }
    }
    // Dates of birth are printed day first.
    assert!(pages_of(&pages, "Sam Turning")[0].contains("07/09/2008"));
    assert!(pages_of(&pages, "Alex Sixteen")[0].contains("01/03/2010"));
    // The learners were imported on the way.
    let listed = f.ok(&["learner", "list"]);
    for name in names {
        assert!(listed.contains(name));
    }

    let png_dir = f.tmp.path().join("png");
    std::fs::create_dir(&png_dir).expect("png folder");
    assert_eq!(render_pngs(&pdf, &png_dir), pages.len());
}

#[test]
fn a_cohort_with_a_bad_row_prints_and_imports_nothing() {
    let f = Folder::new();
    f.init();
    let csv = f.tmp.path().join("bad.csv");
    std::fs::write(
        &csv,
        "name,dob,centre\nAlex Sixteen,2010-03-01,MAN\nJo Nobody,01/02/2009,MAN\n",
    )
    .expect("write CSV");
    let pdf = f.tmp.path().join("induction.pdf");
    let err = f.fails(&[
        "forms",
        "print",
        "--cohort",
        csv.to_str().expect("path"),
        "--induction",
        "2026-09-07",
        "--out",
        pdf.to_str().expect("path"),
    ]);
    assert!(err.contains("line 3"), "{err}");
    assert!(!pdf.exists());
    assert_eq!(f.ok(&["learner", "list"]), "No learners recorded yet.");
}

#[test]
fn learners_by_id_and_an_induction_before_birth() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Sixteen", "2010-03-01");
    let pdf = f.tmp.path().join("one.pdf");
    let out = f.ok(&[
        "forms",
        "print",
        "--learner",
        &alex,
        "--induction",
        "2026-09-07",
        "--out",
        pdf.to_str().expect("path"),
    ]);
    assert!(out.contains("Forms for 1 learner"), "{out}");
    let pages = pdf_pages(&pdf);
    assert!(pages
        .iter()
        .any(|p| p.contains("Consent for online learning")));
    let err = f.fails(&[
        "forms",
        "print",
        "--learner",
        &alex,
        "--induction",
        "2009-01-01",
        "--out",
        pdf.to_str().expect("path"),
    ]);
    assert_eq!(
        err,
        "The induction date 01/01/2009 is before Alex Sixteen was born."
    );
}

#[test]
fn the_staff_acceptable_use_agreement_is_printed_for_staff() {
    let f = Folder::new();
    f.init();
    let robin = f.ok(&[
        "org",
        "add-staff",
        "--name",
        "Robin Tutor",
        "--job-title",
        "Assessor",
        "--centre",
        "MAN",
    ]);
    let avery = f.ok(&[
        "org",
        "add-staff",
        "--name",
        "Avery Mentor",
        "--job-title",
        "Learning Mentor",
    ]);
    let alex = f.add_learner("Alex Sixteen", "2010-03-01");
    let pdf = f.tmp.path().join("staff.pdf");
    let out = f.ok(&[
        "forms",
        "print",
        "--staff",
        &robin,
        "--staff",
        &avery,
        "--induction",
        "2026-09-07",
        "--out",
        pdf.to_str().expect("path"),
    ]);
    assert!(out.contains("Forms for 2 members of staff"), "{out}");
    let pages = pdf_pages(&pdf);
    for (name, title) in [
        ("Robin Tutor", "Assessor"),
        ("Avery Mentor", "Learning Mentor"),
    ] {
        let mine = pages_of(&pages, name);
        assert!(!mine.is_empty(), "{name} is missing");
        let text = mine
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            text.contains("Acceptable Use agreement for staff"),
            "{name}"
        );
        assert!(text.contains("staff-aup version 2026.1"), "{name}");
        assert!(text.contains(title), "{name}: job title");
        assert!(text.contains("07/09/2026"), "{name}: date");
        assert!(
            text.contains(&format!("To be signed by {name}, the member of staff.")),
            "{name}"
        );
        assert!(!text.contains("parent or carer"), "{name}");
    }
    assert!(pages_of(&pages, "Robin Tutor")[0].contains("Manchester (MAN)"));
    // Every page names exactly one of them.
    for p in &pages {
        assert_eq!(
            ["Robin Tutor", "Avery Mentor"]
                .iter()
                .filter(|n| p.contains(*n))
                .count(),
            1,
            "{p}"
        );
    }

    // Learners and staff in one run: the learners' forms first.
    let both = f.tmp.path().join("both.pdf");
    let v = f.json(&[
        "forms",
        "print",
        "--learner",
        &alex,
        "--staff",
        &robin,
        "--induction",
        "2026-09-07",
        "--out",
        both.to_str().expect("path"),
    ]);
    assert_eq!(v["staff"][0]["name"], "Robin Tutor");
    let pages = pdf_pages(&both);
    assert!(pages[0].contains("Alex Sixteen"));
    assert!(pages.last().expect("pages").contains("Robin Tutor"));

    // Someone who is not on the staff list.
    let err = f.fails(&[
        "forms",
        "print",
        "--staff",
        &alex,
        "--induction",
        "2026-09-07",
        "--out",
        pdf.to_str().expect("path"),
    ]);
    assert_eq!(err, format!("No member of staff matches \"{alex}\"."));
}

/// The rule both front ends share (`harbour::api::forms`): a cohort is added to the learners
/// chosen, members of staff may come too, and a run with no one in it writes nothing.
#[test]
fn a_cohort_is_printed_with_the_learners_and_staff_chosen_and_an_empty_run_writes_nothing() {
    use harbour::api::forms::{print_forms, PrintFormsRequest};
    let (tmp, mut h) = common::open_in_process();
    let chosen = harbour::ops::learners::add(
        h.log_mut(),
        harbour::ops::learners::NewLearner {
            name: "Robin Chosen".into(),
            dob: chrono::NaiveDate::from_ymd_opt(2009, 2, 3).expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        },
    )
    .expect("add learner");
    let csv = tmp.path().join("new-starters.csv");
    std::fs::write(&csv, COHORT).expect("write CSV");

    let empty = tmp.path().join("empty.pdf");
    let err = print_forms(
        &mut h,
        PrintFormsRequest {
            induction: "2026-09-07".into(),
            path: empty.clone(),
            ..Default::default()
        },
    )
    .expect_err("no one to print for");
    assert_eq!(err.code(), harbour::Code::Invalid);
    assert!(!empty.exists(), "a refused run wrote {}", empty.display());

    let pdf = tmp.path().join("induction.pdf");
    let coordinator = h.log().device().author.to_string();
    let printed = print_forms(
        &mut h,
        PrintFormsRequest {
            learners: vec![chosen.to_string()],
            staff: vec![coordinator],
            cohort_csv: Some(csv),
            induction: "2026-09-07".into(),
            path: pdf.clone(),
        },
    )
    .expect("print");
    assert_eq!(printed.imported, 4);
    let names: Vec<&str> = printed.learners.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.contains(&"Robin Chosen") && names.contains(&"Priya Nineteen"));
    assert_eq!(printed.staff.len(), 1);
    assert_eq!(printed.staff[0].name, "Sam Example");
    let pages = pdf_pages(&pdf);
    assert_eq!(printed.pages as usize, pages.len());
    assert!(pages.iter().any(|p| p.contains("Robin Chosen")));
    assert!(pages.iter().any(|p| p.contains("Sam Example")));
}
