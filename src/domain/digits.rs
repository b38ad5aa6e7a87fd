//! Bytes as decimal digits, so a code survives a keyboard-wedge scanner on any keyboard
//! layout and fills a QR code in numeric mode (about 3.3 bits per digit).
//!
//! Every 7 bytes, read as a big-endian number, become exactly 17 digits; a last group of
//! `k` bytes becomes `TAIL_DIGITS[k]` digits. Decoding refuses any length no encoding has
//! and any group too large for its bytes, so each byte string has exactly one digit form.

/// Digits for a group of `k` bytes (index `k`): the fewest digits that hold 256^k values.
const GROUP_DIGITS: [usize; 8] = [0, 3, 5, 8, 10, 13, 15, 17];
const GROUP_BYTES: usize = 7;

/// The digits of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 17 / 7 + 17);
    for group in bytes.chunks(GROUP_BYTES) {
        let value = group.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b));
        out.push_str(&format!(
            "{value:0width$}",
            width = GROUP_DIGITS[group.len()]
        ));
    }
    out
}

/// The bytes behind `digits`, or `None` when it is not the encoding of any byte string.
pub fn decode(digits: &str) -> Option<Vec<u8>> {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = digits.len() / GROUP_DIGITS[GROUP_BYTES];
    let tail_digits = digits.len() % GROUP_DIGITS[GROUP_BYTES];
    let tail_bytes = GROUP_DIGITS.iter().position(|&d| d == tail_digits)?;
    let mut out = Vec::with_capacity(full * GROUP_BYTES + tail_bytes);
    let mut rest = digits;
    for bytes in
        std::iter::repeat_n(GROUP_BYTES, full).chain((tail_bytes > 0).then_some(tail_bytes))
    {
        let (group, after) = rest.split_at(GROUP_DIGITS[bytes]);
        rest = after;
        let value: u64 = group.parse().ok()?;
        if value >> (8 * bytes) != 0 {
            return None;
        }
        out.extend_from_slice(&value.to_be_bytes()[8 - bytes..]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length_and_extreme_value() {
        for len in 0..40 {
            for fill in [0u8, 1, 0x7f, 0xff] {
                let bytes = vec![fill; len];
                let digits = encode(&bytes);
                assert_eq!(decode(&digits), Some(bytes), "len {len} fill {fill}");
            }
        }
    }

    #[test]
    fn refuses_lengths_and_values_no_encoding_makes() {
        assert_eq!(decode("12"), None, "2 digits encode nothing");
        assert_eq!(decode("256"), None, "one byte is at most 255");
        assert_eq!(decode("99999999999999999"), None, "7 bytes are below 2^56");
        assert_eq!(decode("12a"), None);
        assert_eq!(decode("255"), Some(vec![255]));
        assert_eq!(decode(""), Some(vec![]));
    }
}
