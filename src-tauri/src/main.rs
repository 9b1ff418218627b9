//! Harbour's desktop app: a Tauri shell over the Harbour core.
//!
//! The shell holds no domain logic. Each command is a thin wrapper over one core call, and
//! errors cross to the window as `{ code, message }`. The window may call only these
//! commands and the file dialog (see `capabilities/default.json`); no remote content loads.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bindings;
mod commands;
mod error;
mod state;
mod webview;

use tauri::Manager;

fn main() {
    let builder = bindings::builder();
    if std::env::args().any(|a| a == "--export-bindings") {
        match builder.export(bindings::typescript(), bindings::BINDINGS_PATH) {
            Ok(()) => println!("Wrote {}", bindings::BINDINGS_PATH),
            Err(e) => {
                eprintln!("The TypeScript bindings could not be written: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    webview::prefer_plain_rendering();
    let dir = std::env::var_os("HARBOUR_DATA_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(harbour::folder::default_dir);
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(state::AppState::new(dir))
        .invoke_handler(builder.invoke_handler())
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                // Opened evidence copies never outlive the app.
                handle.state::<state::AppState>().lock();
            }
        }),
        Err(e) => {
            eprintln!("Harbour could not start its window: {e}");
            std::process::exit(1);
        }
    }
}
