//! The screen's backlight, through Linux sysfs: `/sys/class/backlight/<name>/brightness`
//! (written) and `max_brightness` (read). The Raspberry Pi 7" touch display shows up as
//! `rpi_backlight` (or `10-0045` on newer kernels); HDMI screens have none, and staff mode
//! then hides its brightness control.
//!
//! Permissions: the file is root's by default. The package's udev rule gives the `video`
//! group write access, and the unit makes `/sys/devices` writable for that one purpose
//! (`ReadWritePaths=`); the kiosk's user is in `video`.
use std::path::{Path, PathBuf};

/// The lowest brightness staff can choose, in percent: a black screen looks broken.
pub const MIN_PERCENT: u8 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlight {
    brightness: PathBuf,
    max: u32,
}

impl Backlight {
    /// The first backlight under `dir` (sorted by name), if any can be read.
    pub fn find(dir: &Path) -> Option<Backlight> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        entries.into_iter().find_map(|device| {
            let max = std::fs::read_to_string(device.join("max_brightness"))
                .ok()?
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|m| *m > 0)?;
            let brightness = device.join("brightness");
            brightness.exists().then_some(Backlight { brightness, max })
        })
    }

    /// The brightness now, in percent.
    pub fn percent(&self) -> std::io::Result<u8> {
        let raw: u32 = std::fs::read_to_string(&self.brightness)?
            .trim()
            .parse()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(
            u8::try_from((u64::from(raw.min(self.max)) * 100 / u64::from(self.max)).min(100))
                .unwrap_or(100),
        )
    }

    /// Sets the brightness to `percent` (at least [`MIN_PERCENT`]).
    pub fn set_percent(&self, percent: u8) -> std::io::Result<()> {
        let percent = u64::from(percent.clamp(MIN_PERCENT, 100));
        let raw = (percent * u64::from(self.max)).div_ceil(100);
        std::fs::write(&self.brightness, raw.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_sysfs(max: u32, now: u32) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let device = dir.path().join("rpi_backlight");
        std::fs::create_dir(&device).unwrap();
        std::fs::write(device.join("max_brightness"), format!("{max}\n")).unwrap();
        std::fs::write(device.join("brightness"), format!("{now}\n")).unwrap();
        dir
    }

    #[test]
    fn reads_and_writes_percent_of_the_maximum() {
        let dir = fake_sysfs(255, 255);
        let b = Backlight::find(dir.path()).expect("found");
        assert_eq!(b.percent().unwrap(), 100);
        b.set_percent(50).unwrap();
        let raw = std::fs::read_to_string(dir.path().join("rpi_backlight/brightness")).unwrap();
        assert_eq!(raw, "128");
        assert_eq!(b.percent().unwrap(), 50);
        b.set_percent(0).unwrap();
        assert_eq!(b.percent().unwrap(), 10, "never black");
    }

    #[test]
    fn no_backlight_no_control() {
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(Backlight::find(empty.path()), None);
        assert_eq!(Backlight::find(Path::new("/nonexistent/backlight")), None);
        let broken = fake_sysfs(0, 0);
        assert_eq!(
            Backlight::find(broken.path()),
            None,
            "max 0 is no backlight"
        );
    }
}
