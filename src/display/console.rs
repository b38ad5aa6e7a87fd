//! The Linux console under a kiosk that draws straight to the screen (KMS). The kiosk's
//! virtual terminal is switched to graphics mode, so no console text or blinking cursor
//! shows over the kiosk, and its keyboard is turned off (`K_OFF`), so the kernel ignores
//! console keys from a plugged-in keyboard or a keyboard-wedge scanner: no Alt+Fn or
//! Alt+arrow switch to another console, no Ctrl+Alt+Del. The kiosk itself still reads every
//! key through libinput. Both modes are restored when the lock is dropped (and systemd's
//! `TTYReset=` resets the console should the kiosk die).
//!
//! The kernel allows these two ioctls only on the caller's controlling terminal (or with
//! `CAP_SYS_TTY_CONFIG`, which the service does not have): the unit makes `/dev/tty1` the
//! kiosk's standard input with `TTYPath=/dev/tty1` and `StandardInput=tty-force`.
//! Started any other way (a desktop, SSH, a pipe) standard input is no virtual terminal and
//! the console is left alone.
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::libc::c_int;

// <linux/kd.h>
const KD_GRAPHICS: c_int = 0x01;
const K_OFF: c_int = 0x04;
nix::ioctl_read_bad!(kd_get_mode, 0x4B3B, c_int);
nix::ioctl_write_int_bad!(kd_set_mode, 0x4B3A);
nix::ioctl_read_bad!(kd_get_keyboard_mode, 0x4B44, c_int);
nix::ioctl_write_int_bad!(kd_set_keyboard_mode, 0x4B45);

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(
        "cannot switch the console to graphics mode: {0} (the unit must make the console the \
         kiosk's controlling terminal: TTYPath=/dev/tty1, StandardInput=tty-force)"
    )]
    DisplayMode(nix::Error),
    #[error("cannot read or turn off the console keyboard: {0}")]
    KeyboardMode(nix::Error),
    #[error("cannot keep the console open: {0}")]
    Open(std::io::Error),
}

/// The kiosk's virtual terminal in graphics mode with its keyboard off, until dropped.
#[derive(Debug)]
pub struct ConsoleLock {
    tty: OwnedFd,
    display_mode: c_int,
    keyboard_mode: c_int,
}

impl ConsoleLock {
    /// Locks the virtual terminal on standard input; `Ok(None)` when standard input is not
    /// a virtual terminal.
    pub fn take() -> Result<Option<ConsoleLock>, ConsoleError> {
        Self::take_on(std::io::stdin().as_fd())
    }

    /// Locks the virtual terminal `tty`; `Ok(None)` when it is not one (a file, a pipe, a
    /// pseudo-terminal), which is left untouched.
    pub fn take_on(tty: BorrowedFd<'_>) -> Result<Option<ConsoleLock>, ConsoleError> {
        let fd = tty.as_raw_fd();
        let mut display_mode: c_int = 0;
        // SAFETY: KDGETMODE stores one int through the pointer, valid for the whole call.
        if unsafe { kd_get_mode(fd, &mut display_mode) }.is_err() {
            return Ok(None);
        }
        let mut keyboard_mode: c_int = 0;
        // SAFETY: KDGKBMODE stores one int through the pointer, valid for the whole call.
        unsafe { kd_get_keyboard_mode(fd, &mut keyboard_mode) }
            .map_err(ConsoleError::KeyboardMode)?;
        let tty = tty.try_clone_to_owned().map_err(ConsoleError::Open)?;
        // SAFETY: KDSETMODE and KDSKBMODE take their argument by value; `fd` is open.
        unsafe { kd_set_mode(fd, KD_GRAPHICS) }.map_err(ConsoleError::DisplayMode)?;
        if let Err(e) = unsafe { kd_set_keyboard_mode(fd, K_OFF) } {
            // SAFETY: as above.
            let _ = unsafe { kd_set_mode(fd, display_mode) };
            return Err(ConsoleError::KeyboardMode(e));
        }
        Ok(Some(ConsoleLock {
            tty,
            display_mode,
            keyboard_mode,
        }))
    }
}

impl Drop for ConsoleLock {
    fn drop(&mut self) {
        let fd = self.tty.as_raw_fd();
        // SAFETY: KDSKBMODE and KDSETMODE take their argument by value; `fd` is owned here.
        if let Err(e) = unsafe { kd_set_keyboard_mode(fd, self.keyboard_mode) } {
            tracing::warn!("cannot restore the console keyboard: {e}");
        }
        // SAFETY: as above.
        if let Err(e) = unsafe { kd_set_mode(fd, self.display_mode) } {
            tracing::warn!("cannot restore the console to text mode: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_or_a_pseudo_terminal_is_no_console_and_is_left_alone() {
        let file = std::fs::File::open("/dev/null").unwrap();
        assert!(ConsoleLock::take_on(file.as_fd()).unwrap().is_none());

        let pty = nix::pty::openpty(None, None).unwrap();
        let pty = pty.slave.as_fd();
        let before = nix::sys::termios::tcgetattr(pty).unwrap();
        assert!(ConsoleLock::take_on(pty).unwrap().is_none());
        let after = nix::sys::termios::tcgetattr(pty).unwrap();
        assert_eq!(
            before.local_flags, after.local_flags,
            "the terminal was changed"
        );
    }
}
