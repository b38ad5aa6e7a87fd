//! Fuzzes the PN532 frame decoder with arbitrary bytes, fed in two arbitrary pieces: it must
//! never panic, its buffer must stay bounded, and every frame it accepts must re-encode to
//! bytes that decode to the same frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use member_kiosk::devices::nfc::frame::{self, Decoder, Frame, MAX_PAYLOAD};

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let mut decoder = Decoder::new();
    let mut frames = Vec::new();
    for piece in [&data[..split], &data[split..]] {
        decoder.push(piece);
        while let Some(item) = decoder.next_frame() {
            frames.push(item);
        }
        assert!(decoder.buffered() <= MAX_PAYLOAD + 16, "decoder holds {} bytes", decoder.buffered());
    }
    for item in frames {
        if let Ok(Frame::Info { tfi: frame::TFI_PN532, data }) = item {
            let mut again = Decoder::new();
            again.push(&frame::encode_response(&data));
            assert_eq!(again.next_frame(), Some(Ok(Frame::Info { tfi: frame::TFI_PN532, data })));
        }
    }
});
