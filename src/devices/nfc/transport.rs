//! How bytes reach the PN532. One codec, three transports: UART (HSU) through `serialport`
//! here, I²C and SPI through `rppal` in [`super::rpi`] (cargo feature `rpi`).
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A byte link to a PN532.
pub trait Transport: Send {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Reads what is available, waiting at most `timeout`. `Ok(0)` means nothing arrived.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
    /// Brings the PN532 out of power-down before the first command.
    fn wake_up(&mut self) -> io::Result<()>;
    /// Names the link in logs.
    fn describe(&self) -> String;
}

/// HSU (UART) at the PN532's default 115200 baud.
pub struct Uart {
    port: Box<dyn serialport::SerialPort>,
    path: PathBuf,
}

impl Uart {
    pub fn open(path: &Path, baud: u32) -> io::Result<Uart> {
        let port = serialport::new(path.to_string_lossy(), baud)
            .timeout(Duration::from_millis(50))
            .open()
            .map_err(io::Error::from)?;
        Ok(Uart {
            port,
            path: path.to_owned(),
        })
    }
}

impl Transport for Uart {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.write_all(bytes)?;
        self.port.flush()
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.port.set_timeout(timeout).map_err(io::Error::from)?;
        match self.port.read(buf) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "device closed",
            )),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// UM0701-02 §7.2.11 / application note: in HSU, a long preamble of 0x55 then zeros wakes
    /// the PN532; the first command (SAMConfiguration) must follow straight after.
    fn wake_up(&mut self) -> io::Result<()> {
        let mut wake = vec![0x55, 0x55];
        wake.extend([0x00; 14]);
        self.write_all(&wake)
    }

    fn describe(&self) -> String {
        format!("UART {}", self.path.display())
    }
}
