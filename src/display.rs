//! Picks Slint's platform backend at start-up, from `kiosk.display`: a desktop window
//! (winit, X11 or Wayland) or Linux KMS/DRM, which draws straight to the screen of a Pi that
//! has no desktop and reads touch and keys through libinput. Both are compiled in.
use crate::config::Display;

/// Selects the backend for `display`; `Auto` leaves Slint's own order (`$SLINT_BACKEND`,
/// then winit, then KMS). Must run before the first window is created.
pub fn select(display: Display) -> Result<(), slint::PlatformError> {
    let (backend, renderer) = match display {
        Display::Auto => return Ok(()),
        Display::Window => ("winit", "software"),
        Display::Kms => ("linuxkms", "software"),
    };
    tracing::info!(backend, renderer, "display backend");
    slint::BackendSelector::new()
        .backend_name(backend.into())
        .renderer_name(renderer.into())
        .select()
}
