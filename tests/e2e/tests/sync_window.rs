//! Two centres kept in step through the real window: Manchester trusts Leeds after checking
//! its fingerprint, records an incident and writes a bundle; Leeds receives it and sees the
//! incident; then both change its status without seeing each other's change, and Leeds is
//! shown the two values and keeps one.

mod support;

use std::path::{Path, PathBuf};

use harbour::sync::{export, peers};
use support::*;

fn bundles_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "hbsync"))
        .collect();
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the built app, tauri-driver and a display: run by ./scripts/e2e"]
async fn a_bundle_carries_an_incident_and_a_conflict_is_settled_in_the_real_window() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let manchester = tmp.path().join("manchester");
    let leeds = tmp.path().join("leeds");
    let outbox = tmp.path().join("usb-stick");
    std::fs::create_dir(&outbox).expect("outbox");
    let learner = set_up_folder(&manchester, &[("Riley Example", "2009-04-17")]);
    set_up_centre(&leeds, ("LDS", "Leeds"), "Alex Sample", &[]);

    // Leeds's card, as its coordinator would send it.
    let leeds_card_path = tmp.path().join("leeds-card.json");
    let leeds_fingerprint = {
        let h = open_folder(&leeds);
        let card = peers::own_card(h.log()).expect("card");
        std::fs::write(
            &leeds_card_path,
            serde_json::to_vec(&card).expect("card as JSON"),
        )
        .expect("write card");
        card.fingerprint()
    };

    // Manchester: save its own card; read Leeds's, check the fingerprint, trust it.
    let manchester_card_path = tmp.path().join("manchester-card.json");
    let (driver, c) = start(&manchester).await;
    unlock(&c).await;
    click_text(&c, "button", "Other centres").await;
    fill(
        &c,
        "#own-card-path",
        &manchester_card_path.to_string_lossy(),
    )
    .await;
    click(&c, "#own-card-button").await;
    let shown = text_of(&c, "#own-fingerprint").await;
    fill(&c, "#peer-card", &leeds_card_path.to_string_lossy()).await;
    click(&c, "#read-card").await;
    let details = wait_text(&c, "#peer-card-details", "Alex Sample").await;
    assert!(
        details.contains(&leeds_fingerprint),
        "the fingerprint to read back must be the card's: {details}"
    );
    // Trusting waits until the coordinator says the fingerprint was read back.
    let trust = wait_css(&c, "#trust-button").await;
    assert!(
        !trust.is_enabled().await.expect("enabled?"),
        "trust before the check"
    );
    click(&c, "#fingerprint-checked").await;
    click(&c, "#trust-button").await;
    wait_text(&c, "#sync-notice", "is now a trusted peer").await;
    wait_text(&c, "#peers", "LDS").await;

    let reference = record_incident(
        &c,
        &learner[0],
        "cyberbullying",
        "Riley says a group chat shared edited photos of them.",
    )
    .await;

    click_text(&c, "button", "Other centres").await;
    click(&c, "#send-bundle input[type=checkbox]").await;
    fill(&c, "#send-folder", &outbox.to_string_lossy()).await;
    accessible(&c, "other centres").await;
    screenshot(&c, "sync").await;
    click(&c, "#send-button").await;
    wait_text(&c, "#sent-text", "Bundle for").await;
    let first = bundles_in(&outbox);
    assert_eq!(first.len(), 1, "one bundle written: {first:?}");
    c.close().await.expect("close session");
    drop(driver);

    // Leeds trusts Manchester's card (its fingerprint as shown in Manchester's window).
    let manchester_id = {
        let h = open_folder(&leeds);
        let card = peers::read_card(&manchester_card_path).expect("Manchester's card");
        assert!(shown.contains(&card.fingerprint()), "{shown}");
        peers::add(h.log(), &card, &card.fingerprint()).expect("trust Manchester");
        card.device_id
    };

    // Meanwhile Manchester closes the case and reopens it: its status is open.
    {
        let mut h = open_folder(&manchester);
        let log = h.log_mut();
        let id = harbour::ops::incidents::resolve(log, &reference).expect("incident");
        harbour::ops::incidents::close(log, id, "Chat removed.", "Resolved at review.")
            .expect("close");
        harbour::ops::incidents::reopen(log, id, "A new message arrived.").expect("reopen");
        let leeds_id = peers::list(h.log().conn()).expect("peers")[0]
            .device_id
            .to_string();
        export::export(&mut h, &[leeds_id], &outbox.join("second")).expect("second bundle");
    }
    let second = bundles_in(&outbox.join("second"));
    assert_eq!(second.len(), 1, "{second:?}");

    // Leeds receives the first bundle and sees the incident.
    let (driver, c) = start(&leeds).await;
    unlock(&c).await;
    click_text(&c, "button", "Other centres").await;
    fill(&c, "#bundle-file", &first[0].to_string_lossy()).await;
    click(&c, "#receive-button").await;
    wait_text(&c, ".new-incidents", &reference).await;
    // The same bundle again changes nothing, and says so.
    fill(&c, "#bundle-file", &first[0].to_string_lossy()).await;
    click(&c, "#receive-button").await;
    wait_text(&c, "#received", "received before; nothing changed").await;

    click_text(&c, "button", "Incidents").await;
    wait_text(&c, "#result-count", "1 incident").await;
    click(&c, "a.incident-link").await;
    wait_text(&c, "#incident-title", &reference).await;
    wait_text(&c, "main", "edited photos").await;
    // Leeds closes it, not having seen Manchester reopen it.
    fill(&c, "#outcome", "Chat removed; Riley supported.").await;
    fill(&c, "#close-reason", "No further concerns.").await;
    click(&c, "#close-incident").await;
    wait_text(&c, "#outcome-text", "Chat removed").await;

    // Manchester's second bundle: the status was changed on two devices.
    click_text(&c, "button", "Other centres").await;
    fill(&c, "#bundle-file", &second[0].to_string_lossy()).await;
    click(&c, "#receive-button").await;
    wait_text(&c, "#received .conflicts", &reference).await;
    click_text(&c, "button", "Dashboard").await;
    wait_text(&c, "#dashboard-conflicts", &reference).await;
    click_text(&c, "a", &reference).await;
    let conflict = wait_text(&c, "#conflicts", "Changed on two devices").await;
    assert!(
        conflict.contains("Open") && conflict.contains("Closed"),
        "both values shown: {conflict}"
    );
    accessible(&c, "incident with a conflict").await;
    screenshot_at(&c, "conflict", "#conflicts").await;

    // Keeping one needs a reason; then Manchester's "open" stands and the conflict is gone.
    click(&c, "#conflicts .keep-side[data-value=open]").await;
    wait_text(&c, "#conflict-error", "reason").await;
    fill(
        &c,
        "#conflict-reason-status",
        "A new message arrived after closing.",
    )
    .await;
    click(&c, "#conflicts .keep-side[data-value=open]").await;
    wait_text(&c, "#conflict-notice", "status is now Open").await;
    wait_css(&c, "#close-incident").await;
    assert!(
        c.find(fantoccini::Locator::Css("#conflicts"))
            .await
            .is_err(),
        "the conflict should be settled"
    );
    c.close().await.expect("close session");
    drop(driver);

    // The choice is an event in Leeds's log, and the log still checks out.
    let h = open_folder(&leeds);
    let left = harbour::read::conflicts::list(h.log().conn(), h.log().device().author, None)
        .expect("conflicts");
    assert!(left.is_empty(), "{left:?}");
    harbour::store::verify::verify(h.log().conn()).expect("Leeds's log verifies");
    assert!(
        peers::get(h.log().conn(), &manchester_id)
            .expect("peer")
            .is_some_and(|p| p.revoked_ms.is_none()),
        "Manchester stays trusted"
    );
}
