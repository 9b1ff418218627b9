//! The typed bridge: every command and every value that crosses it, exported as TypeScript
//! to `ui/src/lib/bindings.ts`. A test fails if the committed file is out of date.

use specta_typescript::Typescript;
use tauri_specta::{collect_commands, Builder};

use crate::commands::{
    backup, consent, evidence, incidents, learners, procedures, retention, session, settings, sync,
};

pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            session::app_status,
            session::set_up,
            session::unlock,
            session::unlock_with_keyring,
            session::recover,
            session::lock,
            session::print_recovery_sheet,
            incidents::get_dashboard,
            incidents::list_incidents,
            incidents::search_incidents,
            incidents::get_incident,
            incidents::new_incident,
            incidents::add_note,
            incidents::correct_entry,
            incidents::refer,
            incidents::decide,
            incidents::withdraw_entry,
            incidents::add_action,
            incidents::complete_action,
            incidents::set_risk,
            incidents::link_incidents,
            incidents::close_incident,
            incidents::reopen_incident,
            learners::list_learners,
            learners::get_learner,
            learners::add_learner,
            learners::preview_learner_csv,
            learners::import_learner_csv,
            settings::get_vocabulary,
            settings::get_organisation,
            settings::list_categories,
            settings::rename_organisation,
            settings::add_centre,
            settings::add_staff,
            settings::assign_contact,
            settings::add_category,
            settings::set_policy_review,
            evidence::get_evidence,
            evidence::add_evidence,
            evidence::record_imagery,
            evidence::open_evidence,
            evidence::hand_over_evidence,
            evidence::evidence_returned,
            evidence::export_pack,
            evidence::cancel_work,
            evidence::verify_pack,
            procedures::get_procedures,
            procedures::record_step,
            procedures::attach_procedure,
            procedures::offered_procedures,
            procedures::record_trigger,
            procedures::procedure_choices,
            consent::list_forms,
            consent::print_forms,
            consent::record_consent,
            consent::withdraw_consent,
            consent::check_consent,
            consent::missing_forms,
            consent::report_figures,
            consent::print_report,
            sync::save_own_card,
            sync::read_peer_card,
            sync::add_peer,
            sync::list_peers,
            sync::revoke_peer,
            sync::send_bundle,
            sync::receive_bundles,
            sync::sync_shared_folder,
            sync::shared_folder_state,
            sync::list_conflicts,
            sync::resolve_conflict,
            backup::backup_status,
            backup::set_backup_interval,
            backup::create_backup,
            backup::check_backup,
            backup::restore_backup,
            retention::retention_due,
            retention::record_retention,
            retention::review_record,
            retention::place_hold,
            retention::lift_hold,
            retention::list_holds,
            retention::retention_rules,
        ])
        // Carried by the `pack-progress`, `backup-progress`, `import-progress` and
        // `sync-progress` events rather than returned.
        .typ::<harbour::ops::packs::Progress>()
        .typ::<learners::ImportProgress>()
        .typ::<harbour::sync::Progress>()
}

/// The TypeScript exporter settings. (Clock values in milliseconds are declared as numbers
/// in the core's types: they fit a JavaScript number exactly.)
pub fn typescript() -> Typescript {
    Typescript::default().header("// Generated from the Rust types by `cargo run -p harbour-app -- --export-bindings`. Do not edit.\n")
}

pub const BINDINGS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/bindings.ts");

#[cfg(test)]
mod tests {
    #[test]
    fn committed_bindings_are_current() {
        let tmp = std::env::temp_dir().join(format!("harbour-bindings-{}.ts", std::process::id()));
        super::builder()
            .export(super::typescript(), &tmp)
            .expect("export");
        let fresh = std::fs::read_to_string(&tmp).expect("fresh");
        let _ = std::fs::remove_file(&tmp);
        let committed = std::fs::read_to_string(super::BINDINGS_PATH).unwrap_or_default();
        assert!(
            fresh == committed,
            "ui/src/lib/bindings.ts is out of date: run `cargo run -p harbour-app -- --export-bindings`"
        );
    }
}
