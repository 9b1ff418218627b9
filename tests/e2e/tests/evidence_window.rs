//! Evidence, procedures and packs in the real window: a bullying-by-e-mail incident with two
//! evidence files, its checklist ticked (one step not applicable, with the reason), the pack
//! exported and checked; and an image refused on a nudes incident, whatever it is called,
//! with "record that imagery exists" offered instead.

mod support;

use support::*;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the built app, tauri-driver and a display: run by ./scripts/e2e"]
async fn evidence_checklist_and_pack_in_the_real_window() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let data = tmp.path().join("harbour");
    let ids = set_up_folder(&data, &[("Alex Example", "2009-04-17")]);
    let first = tmp.path().join("first-email.eml");
    let second = tmp.path().join("second-email.txt");
    std::fs::write(
        &first,
        "From: unknown@example.invalid\nSubject: you\n\nNobody likes you.\n",
    )
    .expect("write");
    std::fs::write(&second, "Second message: delete your account or else.\n").expect("write");
    let pack = tmp.path().join("pack.zip");

    let (_driver, c) = start(&data).await;
    unlock(&c).await;
    let reference = record_incident(
        &c,
        &ids[0],
        "cyberbullying",
        "I keep getting nasty e-mails from an address I do not know",
    )
    .await;

    // The bullying by e-mail or mobile procedure, attached from the page.
    select(&c, "#attach-procedure", "bullying-email-mobile").await;
    click_text(&c, "button", "Attach").await;
    wait_text(&c, "#procedures", "Bullying by e-mail or mobile phone").await;

    // Two evidence files, each stored with its SHA-256 shown.
    open_details(&c, "Add an evidence file").await;
    for (path, description) in [
        (&first, "First abusive e-mail"),
        (&second, "Second abusive e-mail"),
    ] {
        fill(&c, "#evidence-path", &path.to_string_lossy()).await;
        fill(&c, "#evidence-description", description).await;
        fill(&c, "#evidence-platform", "College e-mail").await;
        click(&c, "#evidence-add").await;
        wait_text(&c, "#evidence-notice", description).await;
        wait_text(&c, "#evidence-items", description).await;
    }
    let items = text_of(&c, "#evidence-items").await;
    assert!(items.contains("first-email.eml"), "{items}");
    assert_eq!(items.matches("Chain of custody").count(), 2, "{items}");
    assert!(items.contains("second-email.txt"), "{items}");
    accessible(&c, "incident with evidence").await;
    screenshot_at(&c, "evidence", "#evidence").await;

    // Every step of the checklist: one not applicable with its reason, the rest done.
    let step = |id: &str| format!("#procedures li.step[data-step='{id}']");
    fill(
        &c,
        "#note-bullying-email-mobile-inform-la-officer",
        "No local authority officer is involved with this learner",
    )
    .await;
    click(
        &c,
        &format!("{} button.secondary", step("inform-la-officer")),
    )
    .await;
    wait_text(
        &c,
        &step("inform-la-officer"),
        "Not applicable (No local authority",
    )
    .await;
    loop {
        let outstanding = c
            .find_all(fantoccini::Locator::Css(
                "#procedures li.step[data-state='outstanding'] button:not(.secondary)",
            ))
            .await
            .expect("steps");
        let Some(done) = outstanding.into_iter().next() else {
            break;
        };
        let before = text_of(&c, "#procedures").await;
        done.click().await.expect("click done");
        for _ in 0..50 {
            if text_of(&c, "#procedures").await != before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    let procedures = text_of(&c, "#procedures").await;
    assert!(!procedures.contains("Outstanding"), "{procedures}");
    assert!(procedures.contains("Done by Sam Example"), "{procedures}");
    accessible(&c, "procedures").await;
    screenshot_at(&c, "procedure", "#procedures").await;

    // The pack, exported and then checked as its recipient would.
    fill(&c, "#pack-path", &pack.to_string_lossy()).await;
    fill(&c, "#pack-reason", "Requested by the police").await;
    click(&c, "#pack-export").await;
    let notice = wait_text(&c, "#pack-notice", "Evidence pack written").await;
    assert!(notice.contains("2 evidence files"), "{notice}");
    assert!(pack.is_file(), "the pack must exist at {}", pack.display());
    click(&c, "#pack-verify").await;
    wait_text(&c, "#pack-notice", "The pack checks out").await;
    accessible(&c, "pack").await;
    screenshot_at(&c, "export", "#pack").await;

    // The export is in each item's chain of custody (read from the page, folded or not).
    let custody = c
        .execute(
            "return document.querySelector('#evidence-items').textContent",
            vec![],
        )
        .await
        .expect("custody text");
    let custody = custody.as_str().unwrap_or_default();
    assert_eq!(
        custody.matches("Exported in an evidence pack.").count(),
        2,
        "each item's export must be in its chain of custody: {custody}"
    );

    // A changed byte: the same check in the window names the file.
    let mut bytes = std::fs::read(&pack).expect("read pack");
    let at = bytes
        .windows(17)
        .position(|w| w == b"Nobody likes you.")
        .expect("the e-mail is stored uncompressed in the pack");
    bytes[at] ^= 0x20;
    std::fs::write(&pack, bytes).expect("write pack");
    click(&c, "#pack-verify").await;
    wait_text(&c, "#pack-error", "first-email.eml").await;

    assert!(reference.starts_with("MAN-"));
    c.close().await.expect("close session");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the built app, tauri-driver and a display: run by ./scripts/e2e"]
async fn an_image_is_refused_on_a_nudes_incident_in_the_real_window() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let data = tmp.path().join("harbour");
    let ids = set_up_folder(&data, &[("Jo Sample", "2009-02-01")]);
    // An image renamed to look like a text file.
    let disguised = tmp.path().join("notes.txt");
    std::fs::write(&disguised, PNG).expect("write");

    let (_driver, c) = start(&data).await;
    unlock(&c).await;
    record_incident(
        &c,
        &ids[0],
        "nudes",
        "A picture of me was shared in the group chat",
    )
    .await;
    let before = std::fs::read_dir(data.join("evidence"))
        .map(|d| d.count())
        .unwrap_or(0);

    open_details(&c, "Add an evidence file").await;
    fill(&c, "#evidence-path", &disguised.to_string_lossy()).await;
    fill(&c, "#evidence-description", "Screenshot of the chat").await;
    click(&c, "#evidence-add").await;
    let refusal = wait_text(&c, "#evidence-error", "will not store this file").await;
    assert!(
        refusal.contains("never view, copy"),
        "the refusal must quote the rule: {refusal}"
    );
    let after = std::fs::read_dir(data.join("evidence"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(before, after, "nothing may be stored");

    // Offered instead: record that the imagery exists.
    fill(
        &c,
        "#imagery-where",
        "On the learner's phone, in the group chat",
    )
    .await;
    fill(
        &c,
        "#imagery-held-by",
        "Sam Example (DSL), in the locked cabinet",
    )
    .await;
    click(&c, "#imagery-record").await;
    wait_text(&c, "#evidence-notice", "it has not been stored").await;
    wait_text(&c, "#evidence-items", "Imagery exists (not stored)").await;
    let procedures = text_of(&c, "#procedures").await;
    assert!(
        procedures.contains("Sharing nudes"),
        "a nudes incident brings its procedure: {procedures}"
    );
    accessible(&c, "nudes incident").await;
    screenshot_at(&c, "imagery-refused", "#evidence").await;
    c.close().await.expect("close session");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the built app, tauri-driver and a display: run by ./scripts/e2e"]
async fn an_urgent_police_referral_comes_first_until_it_is_recorded_in_the_real_window() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let data = tmp.path().join("harbour");
    // 19 when the incident happened: an adult in a nudes incident is child sexual abuse.
    let ids = set_up_folder(&data, &[("Jo Sample", "2007-03-01")]);
    let (_driver, c) = start(&data).await;
    unlock(&c).await;
    let reference = record_incident(&c, &ids[0], "nudes", "Pictures were sent to me").await;

    // First on the incident's page, above its title.
    let banner = wait_text(&c, "#urgent-banner", "Urgent police referral required").await;
    assert!(banner.contains("Child sexual abuse"), "{banner}");
    let first: String = c
        .execute(
            "return document.querySelector('main, body').querySelector('#urgent-banner, #incident-title').id",
            vec![],
        )
        .await
        .expect("order")
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_eq!(first, "urgent-banner", "the banner comes before the title");

    // And first on the dashboard, with a button that opens the referral ready to record.
    click_text(&c, "button", "Dashboard").await;
    let listed = wait_text(&c, "#dashboard-urgent", &reference).await;
    assert!(listed.contains("Child sexual abuse"), "{listed}");
    accessible(&c, "dashboard with an urgent case").await;
    screenshot_at(&c, "urgent-dashboard", "#dashboard-urgent").await;
    click(&c, "#dashboard-urgent button.urgent-refer").await;
    wait_text(&c, "#incident-title", &reference).await;
    let agency = c
        .find(fantoccini::Locator::Css("#agency"))
        .await
        .expect("agency")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(agency.as_deref(), Some("police"));
    let focused = c
        .active_element()
        .await
        .expect("focus")
        .attr("id")
        .await
        .expect("id");
    assert_eq!(focused.as_deref(), Some("refer-person"));
    accessible(&c, "incident with an urgent banner").await;
    screenshot_at(&c, "urgent-incident", "#urgent-banner").await;

    // Recorded: the banner goes, here and on the dashboard.
    fill(&c, "#refer-person", "Sam Example").await;
    fill(&c, "#refer-ref", "CRIME/2026/0417").await;
    click(&c, "#add-referral").await;
    wait_text(&c, "#referral-notice", "Referral recorded").await;
    wait_text(&c, "#referrals", "CRIME/2026/0417").await;
    let banners = c
        .find_all(fantoccini::Locator::Css("#urgent-banner"))
        .await
        .expect("find");
    assert!(
        banners.is_empty(),
        "the banner goes once the police referral is recorded"
    );
    click_text(&c, "button", "Dashboard").await;
    wait_css(&c, "#open-cases").await;
    let banners = c
        .find_all(fantoccini::Locator::Css("#dashboard-urgent"))
        .await
        .expect("find");
    assert!(
        banners.is_empty(),
        "nothing urgent is left on the dashboard"
    );

    // Recorded on the wrong incident: withdrawn with the reason, it stays in view struck
    // out, and the case is urgent again.
    click(&c, "#steps-outstanding a").await;
    wait_text(&c, "#incident-title", &reference).await;
    click(&c, "#referrals button.withdraw").await;
    fill(
        &c,
        "#referrals input[id^=withdraw-reason-]",
        "Recorded on the wrong incident",
    )
    .await;
    click(&c, "#referrals .withdraw-confirm").await;
    wait_text(&c, "#referral-notice", "Withdrawn").await;
    wait_text(
        &c,
        "#referrals tr.withdrawn",
        "Withdrawn, recorded in error: Recorded on the wrong incident",
    )
    .await;
    wait_text(&c, "#urgent-banner", "Urgent police referral required").await;
    c.close().await.expect("close session");
}
