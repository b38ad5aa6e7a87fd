//! Turns the scanner's byte stream into scans: splits on the configured line suffix,
//! strips an AIM symbology identifier (`]Q1`, `]C0`, ...), and rejects overlong lines, binary
//! data and invalid UTF-8 with a reason. Pure; bytes may arrive split across any reads.

/// How the scanner ends each code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
pub enum Suffix {
    #[serde(rename = "CR")]
    Cr,
    #[serde(rename = "LF")]
    Lf,
    #[default]
    #[serde(rename = "CRLF")]
    CrLf,
}

/// One complete code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    pub text: String,
    /// The AIM symbology identifier without its `]`, e.g. `Q1` (QR code), `C0` (Code 128).
    pub symbology: Option<String>,
}

/// Why a line was not accepted as a scan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("line longer than {max} bytes")]
    TooLong { max: usize },
    #[error("binary data (control byte 0x{byte:02x})")]
    Binary { byte: u8 },
    #[error("not valid UTF-8")]
    InvalidUtf8,
    #[error("control character U+{code_point:04X}")]
    ControlCharacter { code_point: u32 },
    #[error("empty line")]
    Empty,
}

#[derive(Debug)]
pub struct LineSplitter {
    suffix: Suffix,
    max_len: usize,
    line: Vec<u8>,
    /// The current line already exceeded `max_len`: drop bytes until its end.
    overflowed: bool,
    /// CRLF mode saw a CR; a following LF ends the line.
    pending_cr: bool,
}

impl LineSplitter {
    pub fn new(suffix: Suffix, max_len: usize) -> LineSplitter {
        LineSplitter {
            suffix,
            max_len: max_len.max(1),
            line: Vec::new(),
            overflowed: false,
            pending_cr: false,
        }
    }

    /// Feeds bytes; returns every line they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<Scan, Rejected>> {
        let mut out = Vec::new();
        for &b in bytes {
            let ends_line = match self.suffix {
                Suffix::Cr => b == b'\r',
                Suffix::Lf => b == b'\n',
                Suffix::CrLf => {
                    if self.pending_cr {
                        self.pending_cr = false;
                        if b == b'\n' {
                            out.push(self.finish());
                            continue;
                        }
                        // A lone CR inside a line is kept and judged as data.
                        self.keep(b'\r');
                    }
                    if b == b'\r' {
                        self.pending_cr = true;
                        continue;
                    }
                    false
                }
            };
            if ends_line {
                out.push(self.finish());
            } else {
                self.keep(b);
            }
        }
        out
    }

    /// Bytes held for an unfinished line (for tests and diagnostics).
    pub fn pending(&self) -> usize {
        self.line.len()
    }

    /// Drops a partial line, e.g. after the device disconnected.
    pub fn reset(&mut self) {
        self.line.clear();
        self.overflowed = false;
        self.pending_cr = false;
    }

    fn keep(&mut self, b: u8) {
        if self.line.len() >= self.max_len {
            self.overflowed = true;
            self.line.clear();
        }
        if !self.overflowed {
            self.line.push(b);
        }
    }

    fn finish(&mut self) -> Result<Scan, Rejected> {
        let line = std::mem::take(&mut self.line);
        if std::mem::replace(&mut self.overflowed, false) {
            return Err(Rejected::TooLong { max: self.max_len });
        }
        parse_line(&line)
    }
}

/// Validates one line without its suffix and splits off an AIM identifier.
pub fn parse_line(line: &[u8]) -> Result<Scan, Rejected> {
    // The other line-ending byte (a scanner set to CRLF while we expect LF, say) is noise.
    let line = line
        .strip_suffix(b"\r")
        .or_else(|| line.strip_prefix(b"\n"))
        .unwrap_or(line);
    if let Some(&byte) = line
        .iter()
        .find(|&&b| (b < 0x20 && b != b'\t') || b == 0x7f)
    {
        return Err(Rejected::Binary { byte });
    }
    let text = std::str::from_utf8(line).map_err(|_| Rejected::InvalidUtf8)?;
    // C1 controls (U+0080..U+009F) are valid UTF-8 but never part of a real code.
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\t') {
        return Err(Rejected::ControlCharacter {
            code_point: u32::from(c),
        });
    }
    let (symbology, text) = split_aim(text);
    if text.is_empty() {
        return Err(Rejected::Empty);
    }
    Ok(Scan {
        text: text.to_owned(),
        symbology: symbology.map(str::to_owned),
    })
}

/// `]` + code character (A–Z, a–z) + modifier (0–9, A–Z): the AIM symbology identifier.
fn split_aim(text: &str) -> (Option<&str>, &str) {
    let b = text.as_bytes();
    if b.len() >= 3 && b[0] == b']' && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphanumeric() {
        (Some(&text[1..3]), &text[3..])
    } else {
        (None, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(
        results: Vec<Result<Scan, Rejected>>,
    ) -> Vec<Result<(String, Option<String>), Rejected>> {
        results
            .into_iter()
            .map(|r| r.map(|s| (s.text, s.symbology)))
            .collect()
    }

    #[test]
    fn splits_crlf_lines_arriving_in_pieces() {
        let mut s = LineSplitter::new(Suffix::CrLf, 64);
        assert!(s.push(b"]Q1MEM").is_empty());
        assert!(s.push(b"BER-1\r").is_empty());
        let out = texts(s.push(b"\n4901234567894\r\n"));
        assert_eq!(
            out,
            vec![
                Ok(("MEMBER-1".into(), Some("Q1".into()))),
                Ok(("4901234567894".into(), None)),
            ]
        );
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn cr_and_lf_suffixes() {
        let mut cr = LineSplitter::new(Suffix::Cr, 64);
        assert_eq!(texts(cr.push(b"]C0ABC\rDEF\r")).len(), 2);
        let mut lf = LineSplitter::new(Suffix::Lf, 64);
        assert_eq!(
            texts(lf.push(b"ABC\r\n")),
            vec![Ok(("ABC".into(), None))],
            "a stray CR before LF is tolerated"
        );
    }

    #[test]
    fn overlong_lines_are_rejected_and_the_next_line_is_fine() {
        let mut s = LineSplitter::new(Suffix::CrLf, 8);
        let out = s.push(b"0123456789ABCDEF\r\nOK\r\n");
        assert_eq!(out[0], Err(Rejected::TooLong { max: 8 }));
        assert_eq!(out[1].as_ref().map(|s| s.text.as_str()), Ok("OK"));
        assert!(s.pending() <= 8, "memory stays bounded");
    }

    #[test]
    fn binary_and_invalid_utf8_are_rejected() {
        let mut s = LineSplitter::new(Suffix::CrLf, 64);
        let mut wire = b"AB\x00CD\r\n\xff\xfe\r\n\r\n".to_vec();
        wire.extend_from_slice("會員\r\n".as_bytes());
        let out = s.push(&wire);
        assert_eq!(out[0], Err(Rejected::Binary { byte: 0 }));
        assert_eq!(out[1], Err(Rejected::InvalidUtf8));
        assert_eq!(out[2], Err(Rejected::Empty));
        assert_eq!(out[3].as_ref().map(|s| s.text.as_str()), Ok("會員"));
    }

    #[test]
    fn c1_control_characters_are_rejected() {
        // Found by the scanner_lines fuzz target: "\u{8b}" is valid UTF-8 but invisible.
        let mut s = LineSplitter::new(Suffix::CrLf, 64);
        let out = s.push("AB\u{8b}CD\r\n".as_bytes());
        assert_eq!(
            out,
            vec![Err(Rejected::ControlCharacter { code_point: 0x8b })]
        );
    }

    #[test]
    fn only_a_real_aim_identifier_is_stripped() {
        assert_eq!(split_aim("]Q1abc"), (Some("Q1"), "abc"));
        assert_eq!(split_aim("]e0"), (Some("e0"), ""));
        assert_eq!(split_aim("]1abc"), (None, "]1abc"));
        assert_eq!(split_aim("]Q"), (None, "]Q"));
    }
}
