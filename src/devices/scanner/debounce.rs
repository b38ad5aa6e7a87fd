//! Drops the same code scanned twice in a row within a window (a customer holding their
//! phone under the scanner). Pure: the caller passes the time.
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Debouncer {
    window: Duration,
    last: Option<(String, Instant)>,
}

impl Debouncer {
    pub fn new(window: Duration) -> Debouncer {
        Debouncer { window, last: None }
    }

    /// True if `text` scanned at `now` should be delivered. A repeat inside the window
    /// extends it, so a code held under the scanner stays suppressed.
    pub fn accept(&mut self, text: &str, now: Instant) -> bool {
        let repeat = self.last.as_ref().is_some_and(|(last, at)| {
            last == text && now.saturating_duration_since(*at) < self.window
        });
        self.last = Some((text.to_owned(), now));
        !repeat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_inside_the_window_are_dropped() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut d = Debouncer::new(ms(1000));
        assert!(d.accept("A", t0));
        assert!(!d.accept("A", t0 + ms(300)));
        assert!(!d.accept("A", t0 + ms(1200)), "held: the window moves on");
        assert!(d.accept("A", t0 + ms(2300)));
        assert!(
            d.accept("B", t0 + ms(2400)),
            "a different code is always new"
        );
        assert!(d.accept("A", t0 + ms(2500)), "not twice in a row");
    }
}
