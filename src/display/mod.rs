//! Picks Slint's platform backend at start-up, from `kiosk.display`: a desktop window
//! (winit, X11 or Wayland) or Linux KMS/DRM, which draws straight to the screen of a Pi that
//! has no desktop and reads touch and keys through libinput. Both are compiled in. On KMS
//! the kiosk also takes the console out of the way ([`console`]).
pub mod console;

use crate::config::Display;
use console::ConsoleLock;

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

/// Makes the component's window fill the screen. On KMS the window is the screen already.
/// In a window system, fullscreen alone is not enough without a window manager (a bare X
/// session on the counter kept the 800×600 default, with Join off an 800×480 screen), so
/// the window is also sized to its monitor, once winit has created it (after the event
/// loop starts: tried on its first turns).
pub fn fill_screen<C: slint::ComponentHandle + 'static>(component: &C) {
    component.window().set_fullscreen(true);
    size_to_monitor(component.as_weak(), 20);
}

fn size_to_monitor<C: slint::ComponentHandle + 'static>(weak: slint::Weak<C>, tries: u32) {
    use slint::winit_030::WinitWindowAccessor;
    let Some(component) = weak.upgrade() else {
        return;
    };
    let window = component.window();
    let monitor = window.with_winit_window(|w| {
        w.current_monitor()
            .or_else(|| w.primary_monitor())
            .map(|m| m.size())
    });
    match monitor {
        Some(Some(size)) => {
            window.set_size(slint::PhysicalSize::new(size.width, size.height));
            tracing::info!(
                width = size.width,
                height = size.height,
                "window sized to the screen"
            );
        }
        // No monitor reported: fullscreen is all there is.
        Some(None) => {}
        // Not a winit window (KMS), or not created yet.
        None if tries == 0 || !window.is_visible() => {}
        None => slint::Timer::single_shot(std::time::Duration::from_millis(50), move || {
            size_to_monitor(weak, tries - 1)
        }),
    }
}

/// Whether the kiosk will draw on the Linux console's screen rather than in a desktop's
/// window: always for `Kms`; for `Auto`, when no desktop session is there for Slint to open
/// a window in (so Slint falls back to KMS).
pub fn draws_on_console(display: Display, env: impl Fn(&str) -> Option<String>) -> bool {
    match display {
        Display::Kms => true,
        Display::Window => false,
        Display::Auto => {
            let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
            match env("SLINT_BACKEND") {
                Some(backend) if !backend.is_empty() => backend.starts_with("linuxkms"),
                _ => !set("DISPLAY") && !set("WAYLAND_DISPLAY"),
            }
        }
    }
}

/// Takes the console out of the way when the kiosk draws on it. A failure is logged and the
/// kiosk runs anyway: the lockdown files still keep login consoles and reboots away.
pub fn lock_console(display: Display) -> Option<ConsoleLock> {
    if !draws_on_console(display, |name| std::env::var(name).ok()) {
        return None;
    }
    match ConsoleLock::take() {
        Ok(Some(lock)) => {
            tracing::info!("console in graphics mode, its keyboard off");
            Some(lock)
        }
        Ok(None) => {
            tracing::info!("standard input is no virtual terminal; console left as it is");
            None
        }
        Err(e) => {
            tracing::warn!("{e}; console keys stay live");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_is_drawn_on_only_without_a_desktop() {
        let none = |_: &str| None;
        let x11 = |name: &str| (name == "DISPLAY").then(|| ":0".to_owned());
        let forced = |name: &str| (name == "SLINT_BACKEND").then(|| "linuxkms-software".to_owned());
        assert!(draws_on_console(Display::Kms, x11));
        assert!(!draws_on_console(Display::Window, none));
        assert!(draws_on_console(Display::Auto, none));
        assert!(!draws_on_console(Display::Auto, x11));
        assert!(draws_on_console(Display::Auto, forced));
    }
}
