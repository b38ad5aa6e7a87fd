//! PN532 over I²C and SPI on the Raspberry Pi, through `rppal` (cargo feature `rpi`).
//!
//! * I²C: bus 1 (GPIO 2 SDA, GPIO 3 SCL), address 0x24. Enable with `dtparam=i2c_arm=on`
//!   and add the kiosk user to `i2c`. Every read starts with a status byte; bit 0 set means
//!   the PN532 has a frame ready.
//! * SPI: SPI0, CE0, mode 0, 1 MHz. Enable with `dtparam=spi=on`, add the user to `spi`.
//!   The PN532 wants LSB first, which the Pi's SPI cannot do, so bits are reversed in
//!   software. Each transfer starts with DW (0x01, data write), SR (0x02, status read) or
//!   DR (0x03, data read).
//!
//! Set the PN532 board's mode switches to match.
use std::io;
use std::time::{Duration, Instant};

use rppal::spi::{Bus, Mode, SlaveSelect, reverse_bits};

use super::transport::Transport;

const I2C_ADDRESS: u16 = 0x24;
const SPI_DATA_WRITE: u8 = 0x01;
const SPI_STATUS_READ: u8 = 0x02;
const SPI_DATA_READ: u8 = 0x03;
/// Pause between status checks while waiting for the PN532.
const READY_POLL: Duration = Duration::from_millis(2);

fn io_err(e: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::other(e)
}

pub struct I2c {
    bus: rppal::i2c::I2c,
}

impl I2c {
    pub fn open() -> io::Result<I2c> {
        let mut bus = rppal::i2c::I2c::with_bus(1).map_err(io_err)?;
        bus.set_slave_address(I2C_ADDRESS).map_err(io_err)?;
        Ok(I2c { bus })
    }
}

impl Transport for I2c {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.bus.write(bytes).map_err(io_err).map(|_| ())
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let deadline = Instant::now() + timeout;
        let mut raw = vec![0u8; buf.len() + 1];
        loop {
            self.bus.read(&mut raw).map_err(io_err)?;
            if raw[0] & 0x01 == 0x01 {
                buf.copy_from_slice(&raw[1..]);
                return Ok(buf.len());
            }
            if Instant::now() >= deadline {
                return Ok(0);
            }
            std::thread::sleep(READY_POLL);
        }
    }

    /// In I²C mode the PN532 wakes on its address; the first write does it.
    fn wake_up(&mut self) -> io::Result<()> {
        let _ = self.bus.write(&[0x00]);
        std::thread::sleep(Duration::from_millis(5));
        Ok(())
    }

    fn describe(&self) -> String {
        format!("I2C bus 1 address {I2C_ADDRESS:#04x}")
    }
}

pub struct Spi {
    spi: rppal::spi::Spi,
}

impl Spi {
    pub fn open() -> io::Result<Spi> {
        let spi = rppal::spi::Spi::new(Bus::Spi0, SlaveSelect::Ss0, 1_000_000, Mode::Mode0)
            .map_err(io_err)?;
        Ok(Spi { spi })
    }

    fn transfer(&mut self, out: &[u8]) -> io::Result<Vec<u8>> {
        let mut tx = out.to_vec();
        reverse_bits(&mut tx);
        let mut rx = vec![0u8; tx.len()];
        self.spi.transfer(&mut rx, &tx).map_err(io_err)?;
        reverse_bits(&mut rx);
        Ok(rx)
    }
}

impl Transport for Spi {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut out = vec![SPI_DATA_WRITE];
        out.extend_from_slice(bytes);
        self.transfer(&out).map(|_| ())
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.transfer(&[SPI_STATUS_READ, 0x00])?;
            if status[1] & 0x01 == 0x01 {
                let mut out = vec![0u8; buf.len() + 1];
                out[0] = SPI_DATA_READ;
                let data = self.transfer(&out)?;
                buf.copy_from_slice(&data[1..]);
                return Ok(buf.len());
            }
            if Instant::now() >= deadline {
                return Ok(0);
            }
            std::thread::sleep(READY_POLL);
        }
    }

    fn wake_up(&mut self) -> io::Result<()> {
        self.transfer(&[SPI_STATUS_READ, 0x00]).map(|_| ())?;
        std::thread::sleep(Duration::from_millis(5));
        Ok(())
    }

    fn describe(&self) -> String {
        "SPI0 CE0".into()
    }
}
