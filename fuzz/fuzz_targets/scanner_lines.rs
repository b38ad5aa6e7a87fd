//! Fuzzes the scanner line splitter: the first byte picks the suffix and length limit, the
//! rest arrives in pieces. It must never panic, hold at most the limit, and every accepted
//! scan must be non-empty text without control characters, within the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use member_kiosk::devices::scanner::lines::{LineSplitter, Suffix};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let suffix = [Suffix::Cr, Suffix::Lf, Suffix::CrLf][usize::from(first % 3)];
    let max = usize::from(first / 3) + 1;
    let mut splitter = LineSplitter::new(suffix, max);
    for piece in rest.chunks(usize::from(first % 7) + 1) {
        for scan in splitter.push(piece).into_iter().flatten() {
            assert!(!scan.text.is_empty());
            assert!(scan.text.len() <= max);
            assert!(!scan.text.chars().any(|c| c.is_control() && c != '\t'), "{:?}", scan.text);
        }
        assert!(splitter.pending() <= max);
    }
});
