//! The real Harbour window, driven through WebDriver: `tauri-driver` in front of
//! WebKitWebDriver, under Xvfb. Run by `./scripts/test` (or `./scripts/e2e`), which builds the
//! app and the UI first. Every screen visited is checked with axe-core; serious or critical
//! accessibility violations fail the test. With HARBOUR_SCREENSHOTS=1 each main screen is
//! saved to docs/screenshots/.

mod support;

use fantoccini::Locator;
use support::*;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the built app, tauri-driver and a display: run by ./scripts/e2e"]
async fn a_coordinators_day_in_the_real_window() {
    let data = tempfile::tempdir().expect("temporary folder");
    let (_driver, c) = start(&data.path().join("harbour")).await;

    // First run: organisation, centre, coordinator, passphrase with a hint and confirmation.
    wait_css(&c, "#org").await;
    accessible(&c, "first-run").await;
    screenshot(&c, "first-run").await;
    // Nothing typed: said in Harbour's words, not the web engine's "Fill out this field".
    click(&c, "#setup").await;
    wait_text(
        &c,
        "[role=alert]",
        "Please fill in the organisation's name.",
    )
    .await;
    fill(&c, "#org", "Northbridge Training").await;
    fill(&c, "#centre-code", "MAN").await;
    fill(&c, "#centre-name", "Manchester").await;
    fill(&c, "#coordinator", "Sam Example").await;
    fill(&c, "#passphrase", "short").await;
    assert!(text_of(&c, "#strength").await.contains("Too short"));
    fill(&c, "#passphrase", PASSPHRASE).await;
    fill(&c, "#confirm", PASSPHRASE).await;
    click(&c, "#setup").await;

    // The recovery key, shown once, then one group asked back.
    let key = text_of(&c, "#recovery-key").await;
    let groups: Vec<&str> = key.split_whitespace().collect();
    assert_eq!(groups.len(), 8, "{key}");
    accessible(&c, "recovery key").await;
    // A recovery sheet to print, with the key on it as a printer would get it.
    let sheet = data.path().join("recovery-sheet.pdf");
    fill(&c, "#first-sheet-path", &sheet.to_string_lossy()).await;
    click(&c, "#first-sheet").await;
    wait_text(&c, "#first-sheet-notice", "recovery sheet is in").await;
    let text = std::process::Command::new("pdftotext")
        .arg(&sheet)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    for g in &groups {
        assert!(text.contains(g), "group {g} missing from the sheet: {text}");
    }
    assert!(text.contains("Northbridge Training"), "{text}");
    click(&c, "#key-copied").await;
    let label = text_of(&c, "label[for=group]").await;
    let n: usize = label
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .expect("group number");
    fill(&c, "#group", "ZZZZZ").await;
    click(&c, "#check-group").await;
    wait_text(&c, "[role=alert]", "is not group").await;
    fill(&c, "#group", groups[n - 1]).await;
    click(&c, "#check-group").await;

    // The dashboard, then two learners.
    wait_css(&c, "#open-cases").await;
    click_text(&c, "button", "Learners").await;
    add_learner(&c, "Alex Example", "17/04/2009").await;
    add_learner(&c, "Jo Sample", "02/01/2008").await;
    // The same learner again (another spelling of the name) is shown before it is added.
    fill(&c, "#learner-name", "alex example").await;
    fill(&c, "#learner-dob", "17/04/2009").await;
    click(&c, "#add-learner").await;
    let warned = wait_text(&c, "#possible-duplicate", "already recorded at Manchester").await;
    assert!(
        warned.contains("A learner called Alex Example, born 17/04/2009"),
        "{warned}"
    );
    assert_eq!(
        c.find_all(Locator::Css("#learner-rows tr"))
            .await
            .expect("rows")
            .len(),
        2,
        "nothing was added"
    );
    // Told it is a different learner, the coordinator adds them anyway.
    click(&c, "#add-anyway").await;
    wait_text(&c, "[role=status]", "alex example added.").await;
    accessible(&c, "learners").await;
    screenshot(&c, "learners").await;

    // From a learner's page, a new incident starts with them chosen.
    c.find(Locator::XPath(
        "//tbody[@id='learner-rows']//a[.='Alex Example']",
    ))
    .await
    .expect("Alex's link")
    .click()
    .await
    .expect("click");
    click(&c, "#learner-new-incident").await;
    wait_text(&c, "#learner-0 option:checked", "Alex Example").await;

    // A new incident with the two learners in different roles.
    click_text(&c, "button", "Incidents").await;
    click(&c, "#new-incident").await;
    wait_css(&c, "#learner-0 option:nth-child(3)").await;
    let alex = c
        .find(Locator::XPath(
            "//select[@id='learner-0']/option[starts-with(., 'Alex Example')]",
        ))
        .await
        .expect("Alex")
        .attr("value")
        .await
        .expect("value")
        .expect("id");
    let jo = c
        .find(Locator::XPath(
            "//select[@id='learner-0']/option[starts-with(., 'Jo Sample')]",
        ))
        .await
        .expect("Jo")
        .attr("value")
        .await
        .expect("value")
        .expect("id");
    select(&c, "#learner-0", &alex).await;
    select(&c, "#role-0", "subject").await;
    click(&c, "#add-learner-row").await;
    select(&c, "#learner-1", &jo).await;
    select(&c, "#role-1", "alleged-perpetrator").await;
    fill(
        &c,
        "#account",
        "They posted my photo with horrible captions about the canteen",
    )
    .await;
    click(&c, "input[value=cyberbullying]").await;
    // The policy's question for cyberbullying, asked as the category is chosen.
    let offered = wait_text(
        &c,
        "fieldset.offered[data-procedure=bullying-email-mobile]",
        "Did it happen by e-mail or mobile phone?",
    )
    .await;
    assert!(
        offered.contains("Bullying by e-mail or mobile phone"),
        "{offered}"
    );
    fill(&c, "#occurred-date", "20/11/2026").await;
    fill(&c, "#occurred-time", "15:30").await;
    fill(&c, "#place", "Instagram").await;
    fill(&c, "#reporter-name", "Chris Tutor").await;
    fill(&c, "#reporter-title", "Assessor").await;
    accessible(&c, "new incident").await;
    screenshot(&c, "new-incident").await;
    click(&c, "#record-incident").await;
    let reference = text_of(&c, "#incident-title").await;
    assert!(
        reference.starts_with("MAN-") && reference.ends_with("-0001"),
        "{reference}"
    );
    assert!(
        text_of(&c, "main")
            .await
            .contains("Happened 20/11/2026 15:30"),
        "dates must show as dd/mm/yyyy in UK time"
    );
    // Not ticked, so the incident page suggests it until it is followed.
    let suggested = wait_text(
        &c,
        ".suggested[data-procedure=bullying-email-mobile]",
        "Suggested procedure: Bullying by e-mail or mobile phone.",
    )
    .await;
    // It happened on Instagram, so the coordinator leaves it: it stays a suggestion, never a
    // required step, and the case can be closed without it.
    assert!(
        suggested.contains("Did it happen by e-mail or mobile phone?"),
        "{suggested}"
    );
    let learners = text_of(&c, "#learners-involved").await;
    assert!(
        learners.contains("Alex Example — Subject of concern"),
        "{learners}"
    );
    assert!(
        learners.contains("Jo Sample — Alleged perpetrator"),
        "{learners}"
    );

    // Found by a word of the account.
    click_text(&c, "button", "Incidents").await;
    fill(&c, "#search", "canteen").await;
    click(&c, "#apply-filters").await;
    wait_text(&c, "#result-count", "1 incident match").await;
    accessible(&c, "incidents").await;
    screenshot(&c, "incidents").await;
    click(&c, "a.incident-link").await;
    wait_text(&c, "#incident-title", &reference).await;

    // A note, then a correction shown beside it.
    fill(&c, "#note", "Learner says it happened after the bus left").await;
    click(&c, "#add-note").await;
    wait_text(&c, "#chronology", "after the bus left").await;
    let note_entry = c
        .find(Locator::XPath(
            "//li[.//div[@class='entry-text' and contains(., 'after the bus left')]]",
        ))
        .await
        .expect("note entry");
    note_entry
        .find(Locator::Css(".correct-button"))
        .await
        .expect("correct button")
        .click()
        .await
        .expect("click");
    fill(
        &c,
        "#correction",
        "Learner says it happened before the bus left",
    )
    .await;
    fill(&c, "#correction-reason", "Misheard at first").await;
    click(&c, "#save-correction").await;
    let chronology = wait_text(&c, "#chronology", "before the bus left").await;
    // The incident page, as the README shows it: the corrected note beside the original.
    assert!(
        chronology.contains("after the bus left"),
        "the corrected entry must stay: {chronology}"
    );

    // Referral to the police with a reference, then closing with a reason. No agency is
    // chosen for the coordinator; a double click records it once, beside the button, and
    // the form is cleared; the same referral again is refused.
    fill(&c, "#refer-person", "Sam Example").await;
    fill(&c, "#refer-ref", "CRIME-4321").await;
    click(&c, "#add-referral").await;
    wait_text(&c, "#referral-error", "Choose the agency").await;
    select(&c, "#agency", "police").await;
    c.execute(
        "const b = document.querySelector('#add-referral'); b.click(); b.click();",
        vec![],
    )
    .await
    .expect("double click");
    wait_text(&c, "#referral-notice", "Referral recorded.").await;
    wait_text(&c, "#referrals", "CRIME-4321").await;
    let rows = c
        .execute(
            "return document.querySelectorAll('#referrals tbody tr').length",
            vec![],
        )
        .await
        .expect("rows");
    assert_eq!(rows.as_u64(), Some(1), "one referral, however many clicks");
    for (field, emptied) in [("#agency", ""), ("#refer-person", ""), ("#refer-ref", "")] {
        let value = c
            .find(Locator::Css(field))
            .await
            .expect("field")
            .prop("value")
            .await
            .expect("value");
        assert_eq!(value.as_deref(), Some(emptied), "{field} is cleared");
    }
    select(&c, "#agency", "police").await;
    let chosen = c
        .find(Locator::Css("#agency"))
        .await
        .expect("agency")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(chosen.as_deref(), Some("police"), "the agency chosen again");
    fill(&c, "#refer-person", "Sam Example").await;
    fill(&c, "#refer-ref", "CRIME-4321").await;
    click(&c, "#add-referral").await;
    wait_text(&c, "#referral-error", "already recorded").await;
    fill(&c, "#refer-ref", "").await;
    fill(&c, "#outcome", "Posts removed; both learners supported.").await;
    fill(&c, "#close-reason", "No further concerns at review.").await;
    accessible(&c, "incident").await;
    screenshot(&c, "incident").await;
    click(&c, "#close-incident").await;
    wait_text(&c, "#outcome-text", "Posts removed").await;

    click_text(&c, "button", "Dashboard").await;
    wait_css(&c, "#open-cases").await;
    accessible(&c, "dashboard").await;
    screenshot(&c, "dashboard").await;
    click_text(&c, "button", "Settings").await;
    wait_css(&c, "#org-name").await;
    accessible(&c, "settings").await;
    screenshot(&c, "settings").await;
    // On demand: a wrong key is refused in plain words; no key gives a box to write it in.
    let blank = data.path().join("sheet-without-key.pdf");
    fill(&c, "#sheet-path", &blank.to_string_lossy()).await;
    fill(&c, "#sheet-key", "ZZZZZ-ZZZZZ").await;
    click(&c, "#print-sheet").await;
    wait_text(&c, "#settings-error", "recovery key").await;
    assert!(!blank.exists(), "nothing written for a wrong key");
    fill(&c, "#sheet-key", "").await;
    click(&c, "#print-sheet").await;
    wait_text(&c, "#settings-notice", "with a box for the key").await;
    assert!(blank.exists());
    // No path: said so. A path without its ending: saved with ".pdf" added, and said where.
    fill(&c, "#sheet-path", "").await;
    click(&c, "#print-sheet").await;
    wait_text(&c, "#settings-error", "Choose where to save the file.").await;
    let bare = data.path().join("sheet for the safe");
    fill(&c, "#sheet-path", &bare.to_string_lossy()).await;
    click(&c, "#print-sheet").await;
    let said = wait_text(&c, "#settings-notice", "sheet for the safe.pdf").await;
    assert!(said.contains(&*data.path().to_string_lossy()), "{said}");
    assert!(data.path().join("sheet for the safe.pdf").exists());

    // Lock; a wrong passphrase is refused in plain words; the right one opens it again.
    click(&c, "#lock").await;
    fill(&c, "#unlock-passphrase", "not the passphrase").await;
    click(&c, "#unlock").await;
    wait_text(&c, "#unlock-error", "That passphrase is not right").await;
    accessible(&c, "unlock").await;
    screenshot(&c, "unlock").await;
    fill(&c, "#unlock-passphrase", PASSPHRASE).await;
    click(&c, "#unlock").await;
    // Back where the coordinator was when it locked.
    wait_css(&c, "#org-name").await;
    click_text(&c, "button", "Incidents").await;
    wait_text(&c, "#result-count", "1 incident").await;
    click(&c, "a.incident-link").await;
    wait_text(&c, "#incident-title", &reference).await;
    wait_text(&c, "#outcome-text", "Posts removed").await;

    c.close().await.expect("close session");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the built app, tauri-driver and a display: run by ./scripts/e2e"]
async fn a_backup_made_in_settings_is_checked_then_restored_on_a_new_computers_first_run_screen() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let old = tmp.path().join("old-laptop");
    set_up_folder(&old, &[("Alex Example", "2009-04-17")]);
    let old_device = open_folder(&old).log().device().id;
    let usb = tmp.path().join("usb");
    std::fs::create_dir(&usb).expect("usb folder");

    // The dashboard says no backup was made yet, and its button leads to Settings.
    let (driver, c) = start(&old).await;
    unlock(&c).await;
    wait_text(&c, "#dashboard-backup", "No backup has been made").await;
    click(&c, "#dashboard-backup-now").await;
    fill(&c, "#backup-folder", &usb.to_string_lossy()).await;
    click(&c, "#backup-now").await;
    wait_text(&c, "#backup-notice", "Backed up to").await;
    wait_text(&c, "#backup-status", "The last backup was made").await;
    let files: Vec<_> = std::fs::read_dir(&usb)
        .expect("usb")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one backup file and nothing else: {files:?}"
    );
    let backup = files[0].clone();
    assert!(
        backup.to_string_lossy().ends_with(".hbbackup"),
        "{backup:?}"
    );
    let bytes = std::fs::read(&backup).expect("read backup");
    assert!(
        !bytes.windows(12).any(|w| w == b"Alex Example"),
        "a learner's name in the clear"
    );

    // Checked without restoring: a wrong passphrase is one sentence, the right one says
    // what the backup holds.
    assert_eq!(
        c.find(Locator::Css("#backup-file"))
            .await
            .expect("file field")
            .prop("value")
            .await
            .expect("value")
            .as_deref(),
        Some(backup.to_string_lossy().as_ref()),
        "the new backup is offered for checking"
    );
    fill(&c, "#backup-passphrase", "not the passphrase").await;
    click(&c, "#backup-check").await;
    wait_text(
        &c,
        "#backup-check-error",
        "passphrase does not open this backup",
    )
    .await;
    fill(&c, "#backup-passphrase", PASSPHRASE).await;
    click(&c, "#backup-check").await;
    wait_text(&c, "#backup-check-notice", "is sound").await;
    accessible(&c, "settings with backups").await;
    screenshot_at(&c, "settings-backups", "#backups").await;
    c.close().await.expect("close session");
    drop(driver);

    // A new computer: the first-run screen restores it, as a new device.
    let new = tmp.path().join("new-laptop");
    let (_driver, c) = start(&new).await;
    click(&c, "#restore-start").await;
    accessible(&c, "restore").await;
    screenshot(&c, "restore").await;
    fill(&c, "#restore-file", &backup.to_string_lossy()).await;
    fill(&c, "#restore-passphrase", "not the passphrase").await;
    click(&c, "#restore").await;
    wait_text(&c, "#restore-error", "passphrase does not open this backup").await;
    assert!(
        !harbour::folder::is_set_up(&new),
        "a refused restore leaves no data folder"
    );
    fill(&c, "#restore-passphrase", PASSPHRASE).await;
    click(&c, "#restore").await;
    let said = wait_text(&c, "#restore-notice", "new device").await;
    assert!(said.contains("cannot bring back"), "{said}");
    click(&c, "#restore-done").await;
    wait_css(&c, "#open-cases").await;
    // The backup it came from is this folder's last backup.
    wait_text(&c, "#dashboard-backup", "The last backup was made").await;
    c.close().await.expect("close session");
    drop(_driver);

    let h = open_folder(&new);
    assert_ne!(
        h.log().device().id,
        old_device,
        "the restored folder is a new device"
    );
    let learners: i64 = h
        .log()
        .conn()
        .query_row("SELECT count(*) FROM learners", [], |r| r.get(0))
        .expect("learners");
    assert_eq!(learners, 1);
    harbour::store::verify::verify(h.log().conn()).expect("the restored log verifies");
}
