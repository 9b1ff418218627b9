//! How the window's web engine is set up on Linux.
//!
//! WebKitGTK composites pages with OpenGL by default. Harbour's screens are forms and tables
//! with no animation or 3-D, and without a graphics driver (a virtual display, many office
//! desktops on basic graphics) that OpenGL is Mesa's software renderer, whose buffers the web
//! process holds. Turning compositing off lowered the app's memory (PSS of the app and its
//! WebKit processes, 100,000 incidents) from 448 MiB to 316 MiB with no slower search or
//! scrolling (see `docs/performance.md`). It also avoids the blank window some graphics
//! drivers give WebKitGTK. Anyone who wants compositing back sets the variable themselves.

/// WebKitGTK's switch for compositing; read when the web process starts.
const COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Turns WebKitGTK's compositing off unless the user has said otherwise. Called first thing
/// in `main`, before any thread or window exists.
pub fn prefer_plain_rendering() {
    if cfg!(target_os = "linux") && std::env::var_os(COMPOSITING).is_none() {
        std::env::set_var(COMPOSITING, "1");
    }
}
