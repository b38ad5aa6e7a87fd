//! PN532 commands over any [`Transport`]: each command is sent as an information frame,
//! acknowledged by an ACK frame, and answered by a response whose code is the command's + 1
//! (UM0701-02 §6.2.2). A corrupt response is asked for again with a NACK.
use std::io;
use std::time::{Duration, Instant};

use super::frame::{self, Decoder, Frame, FrameError, TFI_PN532};
use super::transport::Transport;

pub const CMD_GET_FIRMWARE_VERSION: u8 = 0x02;
pub const CMD_SAM_CONFIGURATION: u8 = 0x14;
pub const CMD_RF_CONFIGURATION: u8 = 0x32;
pub const CMD_IN_LIST_PASSIVE_TARGET: u8 = 0x4A;

/// How long the PN532 may take to acknowledge a command.
const ACK_TIMEOUT: Duration = Duration::from_millis(100);
/// How often a corrupt response is asked for again before giving up.
const NACK_RETRIES: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum Pn532Error {
    #[error("link error: {0}")]
    Io(#[from] io::Error),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("corrupt frame: {0}")]
    Frame(#[from] FrameError),
    #[error("the PN532 rejected the command frame (error frame)")]
    Application,
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

impl Pn532Error {
    /// The link itself is gone (unplugged): reopen rather than retry.
    pub fn is_disconnect(&self) -> bool {
        matches!(self, Pn532Error::Io(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Firmware {
    /// 0x32 for a PN532.
    pub ic: u8,
    pub version: u8,
    pub revision: u8,
    pub support: u8,
}

impl std::fmt::Display for Firmware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PN5{:02x} firmware {}.{}",
            self.ic, self.version, self.revision
        )
    }
}

pub struct Pn532<T: Transport> {
    link: T,
    decoder: Decoder,
}

impl<T: Transport> Pn532<T> {
    pub fn new(link: T) -> Pn532<T> {
        Pn532 {
            link,
            decoder: Decoder::new(),
        }
    }

    /// Opens a session on `link`: wakes the PN532, reads its firmware and limits passive
    /// activation retries so each poll for a card returns promptly.
    pub fn start(link: T) -> Result<(Pn532<T>, Firmware), Pn532Error> {
        let mut pn = Pn532::new(link);
        pn.begin()?;
        let firmware = pn.firmware_version()?;
        pn.set_passive_activation_retries(1)?;
        Ok((pn, firmware))
    }

    pub fn link(&self) -> &T {
        &self.link
    }

    /// Wakes the PN532 and configures the SAM for normal mode (required after power-up).
    pub fn begin(&mut self) -> Result<(), Pn532Error> {
        self.link.wake_up()?;
        // Normal mode, virtual-card timeout 1 s, use the IRQ pin.
        self.command(
            &[CMD_SAM_CONFIGURATION, 0x01, 0x14, 0x01],
            Duration::from_millis(500),
        )?;
        Ok(())
    }

    pub fn firmware_version(&mut self) -> Result<Firmware, Pn532Error> {
        let r = self.command(&[CMD_GET_FIRMWARE_VERSION], Duration::from_millis(500))?;
        match r.as_slice() {
            [ic, version, revision, support, ..] => Ok(Firmware {
                ic: *ic,
                version: *version,
                revision: *revision,
                support: *support,
            }),
            _ => Err(Pn532Error::Unexpected(format!("firmware answer {r:02x?}"))),
        }
    }

    /// RFConfiguration item 0x05 (MaxRetries): how often InListPassiveTarget retries
    /// activation before answering "no target", so a poll returns promptly.
    pub fn set_passive_activation_retries(&mut self, retries: u8) -> Result<(), Pn532Error> {
        self.command(
            &[CMD_RF_CONFIGURATION, 0x05, 0xFF, 0x01, retries],
            Duration::from_millis(500),
        )?;
        Ok(())
    }

    /// InListPassiveTarget for one ISO14443A target at 106 kbps: the UID of a card on the
    /// reader, or `None`.
    pub fn list_passive_target(&mut self) -> Result<Option<Vec<u8>>, Pn532Error> {
        let r = self.command(
            &[CMD_IN_LIST_PASSIVE_TARGET, 0x01, 0x00],
            Duration::from_millis(1000),
        )?;
        parse_target(&r)
    }

    /// Sends `data` (command code first) and returns the response data after its code.
    pub fn command(
        &mut self,
        data: &[u8],
        response_timeout: Duration,
    ) -> Result<Vec<u8>, Pn532Error> {
        let code = data
            .first()
            .copied()
            .ok_or_else(|| Pn532Error::Unexpected("empty command".into()))?;
        self.decoder.clear();
        self.link.write_all(&frame::encode(data))?;
        match self.next_frame(ACK_TIMEOUT)? {
            Frame::Ack => {}
            Frame::Nack => return Err(Pn532Error::Unexpected("NACK instead of ACK".into())),
            Frame::ApplicationError => return Err(Pn532Error::Application),
            other => return Err(Pn532Error::Unexpected(format!("{other:?} instead of ACK"))),
        }
        let mut retries = 0;
        loop {
            match self.next_frame(response_timeout) {
                Ok(Frame::Info {
                    tfi: TFI_PN532,
                    data,
                }) if data.first() == Some(&(code + 1)) => {
                    return Ok(data[1..].to_vec());
                }
                Ok(Frame::ApplicationError) => return Err(Pn532Error::Application),
                Ok(other) => {
                    return Err(Pn532Error::Unexpected(format!(
                        "{other:02x?} in answer to command {code:#04x}"
                    )));
                }
                Err(Pn532Error::Frame(e)) if retries < NACK_RETRIES => {
                    tracing::debug!("corrupt PN532 response ({e}); asking again");
                    retries += 1;
                    self.decoder.clear();
                    self.link.write_all(&frame::NACK)?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn next_frame(&mut self, timeout: Duration) -> Result<Frame, Pn532Error> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 64];
        loop {
            if let Some(item) = self.decoder.next_frame() {
                return Ok(item?);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Pn532Error::Timeout(timeout));
            }
            let n = self.link.read(&mut buf, left)?;
            self.decoder.push(&buf[..n]);
        }
    }
}

/// Parses InListPassiveTarget's answer: `NbTg [Tg SENS_RES(2) SEL_RES NFCIDLength NFCID1…]`.
pub fn parse_target(r: &[u8]) -> Result<Option<Vec<u8>>, Pn532Error> {
    match r {
        [0, ..] => Ok(None),
        [_, _tg, _sens1, _sens2, _sel, len, rest @ ..]
            if rest.len() >= usize::from(*len) && *len > 0 =>
        {
            Ok(Some(rest[..usize::from(*len)].to_vec()))
        }
        _ => Err(Pn532Error::Unexpected(format!("target answer {r:02x?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_4_and_7_byte_uids() {
        // UM0701-02 §7.3.5 example: one Mifare Classic, UID 4 bytes.
        let mifare = [0x01, 0x01, 0x00, 0x04, 0x08, 0x04, 0x92, 0x2E, 0x58, 0x32];
        assert_eq!(
            parse_target(&mifare).unwrap(),
            Some(vec![0x92, 0x2E, 0x58, 0x32])
        );
        let ultralight = [
            0x01, 0x01, 0x00, 0x44, 0x00, 0x07, 0x04, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC,
        ];
        assert_eq!(parse_target(&ultralight).unwrap().map(|u| u.len()), Some(7));
        assert_eq!(parse_target(&[0x00]).unwrap(), None);
        assert!(parse_target(&[0x01, 0x01, 0x00]).is_err());
        assert!(
            parse_target(&[0x01, 0x01, 0x00, 0x04, 0x08, 0x07, 0x01]).is_err(),
            "short UID"
        );
    }
}
