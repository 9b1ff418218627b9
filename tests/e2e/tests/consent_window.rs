//! Induction forms and consent in the real window: a cohort CSV imported on the way to
//! printing its forms, two returned forms recorded (one refusing the website), and the
//! website question answered from each record; then the reports screen.

mod support;

use std::process::Command;

use support::*;

const PHOTO_FORM: &str = "Consent for photographs and video";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the built app, tauri-driver and a display: run by ./scripts/e2e"]
async fn a_cohort_printed_and_consent_recorded_in_the_real_window() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let data = tmp.path().join("harbour");
    set_up_folder(&data, &[]);
    let csv = tmp.path().join("new-starters.csv");
    std::fs::write(
        &csv,
        "name,dob,centre\nRiley Example,2010-03-14,MAN\nMorgan Sample,2009-12-01,MAN\nDrew Placeholder,2006-06-30,MAN\n",
    )
    .expect("write CSV");
    let pdf = tmp.path().join("induction.pdf");

    let (_driver, c) = start(&data).await;
    unlock(&c).await;
    click_text(&c, "button", "Forms and consent").await;
    fill(&c, "#induction", "07/09/2026").await;
    fill(&c, "#cohort-csv", &csv.to_string_lossy()).await;
    click(&c, "#cohort-preview").await;
    wait_text(&c, "#cohort-preview-text", "3 learners ready to import").await;
    fill(&c, "#forms-pdf", &pdf.to_string_lossy()).await;
    accessible(&c, "forms and consent").await;
    screenshot(&c, "consent").await;
    click(&c, "#print-forms-button").await;
    let notice = wait_text(&c, "#consent-notice", "Forms for 3 learners").await;
    assert!(notice.contains("3 learners imported"), "{notice}");

    // The PDF as a printer would get it: every learner, parental forms for under-18s only.
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    for name in ["Riley Example", "Morgan Sample", "Drew Placeholder"] {
        assert!(text.contains(name), "{name} missing from the printed forms");
    }
    assert!(text.contains("Acceptable Use"), "{text}");

    // Two returned forms: Riley's parent refuses the website; Morgan's agrees.
    for (name, signer, website) in [
        ("Riley Example", "Pat Example", "no"),
        ("Morgan Sample", "Lee Sample", "yes"),
    ] {
        let id = option_value(&c, "consent-learner", name).await;
        select(&c, "#consent-learner", &id).await;
        select(&c, "#consent-form", "photo-video").await;
        fill(&c, "#signed-by", signer).await;
        fill(&c, "#relationship", "Mother").await;
        fill(&c, "#signed-on", "08/09/2026").await;
        for (purpose, answer) in [
            ("internal", "yes"),
            ("website", website),
            ("social-media", "no"),
            ("press", "no"),
        ] {
            click(&c, &format!("#answer-{purpose} input[value={answer}]")).await;
        }
        // Each radio button sits just before its own word, not across the page from it.
        let gaps = c
            .execute(
                "return [...document.querySelectorAll('fieldset.answer label')].map(l => {
                   const r = document.createRange();
                   r.selectNodeContents(l.lastChild);
                   return r.getBoundingClientRect().left - l.querySelector('input').getBoundingClientRect().right;
                 });",
                vec![],
            )
            .await
            .expect("gaps");
        let gaps: Vec<f64> = gaps
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|g| g.as_f64())
            .collect();
        assert!(
            !gaps.is_empty() && gaps.iter().all(|g| (0.0..24.0).contains(g)),
            "{gaps:?}"
        );
        click(&c, "#record-consent-button").await;
        wait_text(&c, "#consent-notice", "recorded").await;
    }

    // A learner of 18 is told they sign for themselves.
    let drew = option_value(&c, "consent-learner", "Drew Placeholder").await;
    select(&c, "#consent-learner", &drew).await;
    wait_text(&c, "#adult-hint", "sign for themselves").await;

    // "May we use a photograph of this learner on the website?"
    for (name, answer) in [("Riley Example", "No."), ("Morgan Sample", "Yes.")] {
        let id = option_value(&c, "check-learner", name).await;
        select(&c, "#check-learner", &id).await;
        select(&c, "#check-purpose", "website").await;
        click(&c, "#check-consent-button").await;
        let said = wait_text(&c, "#consent-answer", answer).await;
        assert!(
            said.contains("08/09/2026"),
            "the answer must give the date behind it: {said}"
        );
    }

    // Who is missing which form: Drew returned nothing; Morgan only the photographs form.
    click(&c, "#missing-button").await;
    let missing = wait_text(&c, "#missing-forms", "Drew Placeholder").await;
    let mut morgan = Vec::new();
    for row in c
        .find_all(fantoccini::Locator::Css("#missing-forms tbody tr"))
        .await
        .expect("rows")
    {
        let text = row.text().await.expect("row text");
        if text.contains("Morgan Sample") {
            morgan.push(text);
        }
    }
    assert!(!morgan.is_empty(), "Morgan still owes forms: {missing}");
    assert!(
        morgan.iter().all(|l| !l.contains(PHOTO_FORM)),
        "Morgan's photographs form was returned: {missing}"
    );
    accessible(&c, "consent answers").await;

    // The reports screen, for the quarter the incidents and forms fall in, typed as people
    // write it.
    click_text(&c, "button", "Reports").await;
    fill(&c, "#quarter", "Q3 2026").await;
    click(&c, "#show-figures").await;
    wait_text(&c, "#report-summary", "2026-Q3").await;
    accessible(&c, "reports").await;
    screenshot(&c, "reports").await;
    // At the smallest window Harbour allows (900×600), nothing scrolls sideways.
    c.set_window_size(900, 600).await.expect("resize");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (scroll, client) = c
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .map(|v| {
            let v = v.as_array().cloned().unwrap_or_default();
            (
                v.first().and_then(|x| x.as_f64()).unwrap_or(0.0),
                v.get(1).and_then(|x| x.as_f64()).unwrap_or(0.0),
            )
        })
        .expect("widths");
    assert!(
        client > 0.0 && client <= 900.0 && scroll <= client + 1.0,
        "the reports screen scrolls sideways at 900x600: {scroll} > {client}"
    );
    c.close().await.expect("close session");
}

/// The value of the option in `<select id=…>` whose words start with `name`.
async fn option_value(c: &fantoccini::Client, select_id: &str, name: &str) -> String {
    wait_css(c, &format!("#{select_id} option:nth-child(2)")).await;
    c.find(fantoccini::Locator::XPath(&format!(
        "//select[@id='{select_id}']/option[starts-with(., '{name}')]"
    )))
    .await
    .unwrap_or_else(|e| panic!("no {name} in #{select_id}: {e}"))
    .attr("value")
    .await
    .expect("value")
    .expect("an id")
}
