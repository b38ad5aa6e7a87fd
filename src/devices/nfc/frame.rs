//! PN532 host-link framing, from the NXP PN532 User Manual (UM0701-02, §6.2.1):
//!
//! ```text
//! normal information frame  00 00 FF LEN LCS TFI PD0..PDn DCS 00
//! extended information frame 00 00 FF FF FF LENM LENL LCS TFI PD0..PDn DCS 00
//! ACK                        00 00 FF 00 FF 00
//! NACK                       00 00 FF FF 00 00
//! error frame                00 00 FF 01 FF 7F 81 00
//! ```
//!
//! `LEN` counts TFI and data; `LEN + LCS = 0` and `TFI + PD0 + … + PDn + DCS = 0` (mod 256).
//! TFI is `D4` from host to PN532 and `D5` back. The decoder is streaming: bytes may arrive
//! split anywhere, garbage before a frame is skipped, and after a bad checksum it re-syncs on
//! the next start code. Pure: no I/O.

/// Frame identifier, host to PN532.
pub const TFI_HOST: u8 = 0xD4;
/// Frame identifier, PN532 to host.
pub const TFI_PN532: u8 = 0xD5;
pub const ACK: [u8; 6] = [0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00];
pub const NACK: [u8; 6] = [0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00];
/// Longest normal frame payload (TFI + data); longer needs an extended frame.
const MAX_NORMAL_LEN: usize = 255;
/// Longest payload we accept: the PN532's own buffer is 264 bytes.
pub const MAX_PAYLOAD: usize = 264;

/// A decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Ack,
    Nack,
    /// Syntax error reported by the PN532 (the "error frame").
    ApplicationError,
    /// An information frame: its TFI and data (`PD0..PDn`).
    Info {
        tfi: u8,
        data: Vec<u8>,
    },
}

/// Why bytes on the wire were not a valid frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("length checksum mismatch")]
    LengthChecksum,
    #[error("data checksum mismatch")]
    DataChecksum,
    #[error("frame longer than {MAX_PAYLOAD} bytes")]
    TooLong,
    #[error("missing postamble")]
    Postamble,
}

fn checksum(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |acc, b| acc.wrapping_add(*b))
        .wrapping_neg()
}

/// Encodes an information frame from the host: `TFI_HOST` then `data` (command code first).
pub fn encode(data: &[u8]) -> Vec<u8> {
    let len = data.len() + 1;
    let mut out = Vec::with_capacity(len + 10);
    out.extend_from_slice(&[0x00, 0x00, 0xFF]);
    if len <= MAX_NORMAL_LEN {
        out.push(len as u8);
        out.push((len as u8).wrapping_neg());
    } else {
        let (m, l) = ((len >> 8) as u8, len as u8);
        out.extend_from_slice(&[0xFF, 0xFF, m, l, m.wrapping_add(l).wrapping_neg()]);
    }
    out.push(TFI_HOST);
    out.extend_from_slice(data);
    out.push(checksum(&[&[TFI_HOST][..], data].concat()));
    out.push(0x00);
    out
}

/// Encodes a frame the PN532 would send (for simulators and tests).
pub fn encode_response(data: &[u8]) -> Vec<u8> {
    let mut frame = encode(data);
    // Same layout; swap the TFI and fix the data checksum.
    let tfi_at = if data.len() < MAX_NORMAL_LEN { 5 } else { 8 };
    frame[tfi_at] = TFI_PN532;
    let dcs_at = frame.len() - 2;
    frame[dcs_at] = checksum(&frame[tfi_at..dcs_at]);
    frame
}

/// Streaming decoder.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
}

enum Step {
    /// Need more bytes.
    More,
    /// Drop this many bytes and report the result (if any).
    Done(usize, Option<Result<Frame, FrameError>>),
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Forgets buffered bytes (after a timeout or reconnect).
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next frame or framing error in the buffered bytes, if complete.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        loop {
            match step(&self.buf) {
                Step::More => return None,
                Step::Done(n, item) => {
                    self.buf.drain(..n.min(self.buf.len()));
                    if item.is_some() {
                        return item;
                    }
                }
            }
        }
    }
}

fn step(buf: &[u8]) -> Step {
    // Find the start code 00 FF (the preamble before it is optional in practice).
    let Some(start) = buf.windows(2).position(|w| w == [0x00, 0xFF]) else {
        // Keep a trailing 00: it may be the first half of a start code.
        let keep = usize::from(buf.last() == Some(&0x00));
        return if buf.len() > keep {
            Step::Done(buf.len() - keep, None)
        } else {
            Step::More
        };
    };
    if start > 0 {
        return Step::Done(start, None);
    }
    let b = &buf[2..];
    if b.len() < 2 {
        return Step::More;
    }
    // After a bad frame we skip just the start code, so the next one is found.
    let resync = |e| Step::Done(2, Some(Err(e)));
    match (b[0], b[1]) {
        (0x00, 0xFF) => {
            return Step::Done(
                2 + 2 + usize::from(b.get(2) == Some(&0x00)),
                Some(Ok(Frame::Ack)),
            );
        }
        (0xFF, 0x00) => {
            return Step::Done(
                2 + 2 + usize::from(b.get(2) == Some(&0x00)),
                Some(Ok(Frame::Nack)),
            );
        }
        _ => {}
    }
    let (len, header) = if b[0] == 0xFF && b[1] == 0xFF {
        if b.len() < 5 {
            return Step::More;
        }
        let (m, l, lcs) = (b[2], b[3], b[4]);
        if m.wrapping_add(l).wrapping_add(lcs) != 0 {
            return resync(FrameError::LengthChecksum);
        }
        (usize::from(m) << 8 | usize::from(l), 5)
    } else {
        if b[0].wrapping_add(b[1]) != 0 {
            return resync(FrameError::LengthChecksum);
        }
        (usize::from(b[0]), 2)
    };
    if len == 0 || len > MAX_PAYLOAD {
        return resync(FrameError::TooLong);
    }
    // TFI + data, DCS, postamble.
    let total = header + len + 2;
    if b.len() < total {
        return Step::More;
    }
    let payload = &b[header..header + len];
    let dcs = b[header + len];
    if checksum(payload) != dcs {
        return resync(FrameError::DataChecksum);
    }
    if b[header + len + 1] != 0x00 {
        return resync(FrameError::Postamble);
    }
    let consumed = 2 + total;
    if payload == [0x7F] {
        return Step::Done(consumed, Some(Ok(Frame::ApplicationError)));
    }
    Step::Done(
        consumed,
        Some(Ok(Frame::Info {
            tfi: payload[0],
            data: payload[1..].to_vec(),
        })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> Vec<Result<Frame, FrameError>> {
        let mut d = Decoder::new();
        d.push(bytes);
        std::iter::from_fn(|| d.next_frame()).collect()
    }

    #[test]
    fn encodes_the_manuals_get_firmware_version_command() {
        // UM0701-02 §7.2.2: 00 00 FF 02 FE D4 02 2A 00
        assert_eq!(
            encode(&[0x02]),
            [0x00, 0x00, 0xFF, 0x02, 0xFE, 0xD4, 0x02, 0x2A, 0x00]
        );
        // SAMConfiguration, normal mode, 1 s timeout, IRQ: D4 14 01 14 01
        assert_eq!(
            encode(&[0x14, 0x01, 0x14, 0x01]),
            [
                0x00, 0x00, 0xFF, 0x05, 0xFB, 0xD4, 0x14, 0x01, 0x14, 0x01, 0x02, 0x00
            ]
        );
    }

    #[test]
    fn decodes_ack_and_the_manuals_firmware_response() {
        // ACK, then D5 03 32 01 06 07 (PN532 v1.6, supports ISO14443A/B and 18092).
        let bytes = [
            0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00, //
            0x00, 0x00, 0xFF, 0x06, 0xFA, 0xD5, 0x03, 0x32, 0x01, 0x06, 0x07, 0xE8, 0x00,
        ];
        assert_eq!(
            decode_all(&bytes),
            vec![
                Ok(Frame::Ack),
                Ok(Frame::Info {
                    tfi: TFI_PN532,
                    data: vec![0x03, 0x32, 0x01, 0x06, 0x07]
                })
            ]
        );
    }

    #[test]
    fn decodes_nack_and_the_error_frame() {
        let bytes = [
            0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, //
            0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00,
        ];
        assert_eq!(
            decode_all(&bytes),
            vec![Ok(Frame::Nack), Ok(Frame::ApplicationError)]
        );
    }

    #[test]
    fn bytes_split_anywhere_and_garbage_before_a_frame() {
        let mut wire = vec![0x13, 0x37, 0xFF, 0x42];
        wire.extend(encode_response(&[0x4B, 0x00]));
        for split in 0..wire.len() {
            let mut d = Decoder::new();
            d.push(&wire[..split]);
            let first = d.next_frame();
            d.push(&wire[split..]);
            let frame = first.or_else(|| d.next_frame());
            assert_eq!(
                frame,
                Some(Ok(Frame::Info {
                    tfi: TFI_PN532,
                    data: vec![0x4B, 0x00]
                })),
                "split at {split}"
            );
        }
    }

    #[test]
    fn resyncs_after_a_corrupt_checksum() {
        let mut bad = encode_response(&[0x03, 0x32, 0x01, 0x06, 0x07]);
        let dcs = bad.len() - 2;
        bad[dcs] ^= 0x55;
        let mut wire = bad;
        wire.extend(encode_response(&[0x15]));
        let out = decode_all(&wire);
        assert_eq!(out.first(), Some(&Err(FrameError::DataChecksum)));
        assert_eq!(
            out.last(),
            Some(&Ok(Frame::Info {
                tfi: TFI_PN532,
                data: vec![0x15]
            }))
        );

        let mut bad_len = encode_response(&[0x15]);
        bad_len[4] ^= 1;
        assert_eq!(
            decode_all(&bad_len).first(),
            Some(&Err(FrameError::LengthChecksum))
        );
    }

    #[test]
    fn extended_frames_round_trip() {
        let data: Vec<u8> = (0..=255u8).chain(0..3).collect();
        let wire = encode_response(&data);
        assert_eq!(&wire[3..5], &[0xFF, 0xFF]);
        assert_eq!(
            decode_all(&wire),
            vec![Ok(Frame::Info {
                tfi: TFI_PN532,
                data
            })]
        );
    }

    #[test]
    fn garbage_alone_never_grows_the_buffer() {
        let mut d = Decoder::new();
        for _ in 0..1000 {
            d.push(&[0x12, 0x34, 0xAB, 0x00]);
            assert_eq!(d.next_frame(), None);
        }
        assert!(d.buffered() <= 1);
    }
}
