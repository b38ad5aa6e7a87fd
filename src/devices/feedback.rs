//! Buzzer and LED feedback at the counter: one short pulse for a good scan or tap, three
//! quick pulses for a rejected scan. Which pattern follows which event is decided here
//! (pure); driving the pins needs the Raspberry Pi build (cargo feature `rpi`).
use std::time::Duration;

use super::{DeviceEvent, EventSink};

/// On/off durations, starting with "on".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(pub Vec<Duration>);

pub fn pattern_for(event: &DeviceEvent) -> Option<Pattern> {
    let ms = Duration::from_millis;
    match event {
        DeviceEvent::Scan { .. } | DeviceEvent::CardTap { .. } => Some(Pattern(vec![ms(80)])),
        DeviceEvent::ScanRejected { .. } => {
            Some(Pattern(vec![ms(60), ms(60), ms(60), ms(60), ms(60)]))
        }
        _ => None,
    }
}

/// Wraps `sink` so every event that has a pattern also plays it through `play` (which must
/// not block: it hands the pattern to the feedback thread).
pub fn wrap(sink: EventSink, play: impl Fn(Pattern) + Send + Sync + 'static) -> EventSink {
    std::sync::Arc::new(move |event| {
        if let Some(p) = pattern_for(&event) {
            play(p);
        }
        sink(event);
    })
}

/// Plays patterns on GPIO pins (BCM numbering) from its own thread.
#[cfg(feature = "rpi")]
pub fn spawn_gpio(
    buzzer: Option<u8>,
    led: Option<u8>,
) -> std::io::Result<impl Fn(Pattern) + Send + Sync + 'static> {
    let gpio = rppal::gpio::Gpio::new().map_err(std::io::Error::other)?;
    let mut pins = Vec::new();
    for pin in [buzzer, led].into_iter().flatten() {
        // Output pins are reset to input (off) when dropped, so nothing stays buzzing.
        pins.push(
            gpio.get(pin)
                .map_err(std::io::Error::other)?
                .into_output_low(),
        );
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<Pattern>(4);
    std::thread::Builder::new()
        .name("feedback".into())
        .spawn(move || {
            for Pattern(steps) in rx {
                for (i, d) in steps.iter().enumerate() {
                    for pin in &mut pins {
                        if i % 2 == 0 {
                            pin.set_high()
                        } else {
                            pin.set_low()
                        }
                    }
                    std::thread::sleep(*d);
                }
                pins.iter_mut().for_each(|p| p.set_low());
            }
        })?;
    Ok(move |p: Pattern| {
        // A pattern already queued is enough: never block a device thread.
        let _ = tx.try_send(p);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_and_rejected_sound_different() {
        let good = pattern_for(&DeviceEvent::CardTap { uid: "01".into() }).unwrap();
        let bad = pattern_for(&DeviceEvent::ScanRejected {
            reason: "binary".into(),
        })
        .unwrap();
        assert_eq!(good.0.len(), 1);
        assert_eq!(bad.0.len(), 5, "three pulses");
        assert_ne!(good, bad);
        assert_eq!(
            pattern_for(&DeviceEvent::CardRemoved { uid: "01".into() }),
            None
        );
    }

    #[test]
    fn wrapped_sink_plays_and_forwards() {
        let played = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let forwarded = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (p, f) = (played.clone(), forwarded.clone());
        let sink = wrap(
            std::sync::Arc::new(move |e| f.lock().unwrap().push(e)),
            move |pat| p.lock().unwrap().push(pat),
        );
        sink(DeviceEvent::Scan {
            text: "A".into(),
            symbology: None,
        });
        sink(DeviceEvent::CardRemoved { uid: "01".into() });
        assert_eq!(played.lock().unwrap().len(), 1);
        assert_eq!(forwarded.lock().unwrap().len(), 2);
    }
}
