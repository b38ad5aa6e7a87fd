//! The codes screens show: a new member's signed member code and the attract screen's
//! sign-up link, each drawn as a QR image (one pixel per module; the page scales it up
//! without smoothing). Signing takes microseconds, so it runs on the UI thread.
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

use crate::domain::member_code;
use crate::domain::signing::Signer;
use crate::domain::signup_link;

/// Modules of white border around a QR code (the standard's quiet zone).
const QUIET_ZONE: u32 = 4;

pub struct CodeIssuer {
    signer: Option<Signer>,
    member_code_lifetime_secs: u32,
    signup_url: Option<url::Url>,
}

fn now() -> u32 {
    u32::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(u32::MAX)
}

impl CodeIssuer {
    pub fn new(
        signer: Option<Signer>,
        member_code_days: u32,
        signup_url: Option<url::Url>,
    ) -> Self {
        CodeIssuer {
            signer,
            member_code_lifetime_secs: member_code_days.saturating_mul(24 * 3600),
            signup_url,
        }
    }

    /// A saved member code for `member_id`, as digits.
    pub fn member_code(&self, member_id: &str) -> Option<String> {
        member_code::issue(
            self.signer.as_ref()?,
            member_id,
            now(),
            self.member_code_lifetime_secs,
        )
    }

    /// A fresh sign-up link, when the shop has a sign-up page.
    pub fn signup_link(&self) -> Option<String> {
        let (signer, base) = (self.signer.as_ref()?, self.signup_url.as_ref()?);
        let mut nonce = [0u8; 8];
        if let Err(e) = getrandom::fill(&mut nonce) {
            tracing::error!("no randomness for a sign-up link nonce: {e}");
            return None;
        }
        Some(signup_link::link(signer, base, now(), nonce))
    }
}

/// `text` as a QR image at error correction M, or `None` if it does not fit a QR code.
pub fn qr_image(text: &str) -> Option<Image> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let width = u32::try_from(code.width()).ok()?;
    let side = width + 2 * QUIET_ZONE;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(side, side);
    let white = Rgb8Pixel {
        r: 255,
        g: 255,
        b: 255,
    };
    let black = Rgb8Pixel { r: 0, g: 0, b: 0 };
    buffer.make_mut_slice().fill(white);
    let pixels = buffer.make_mut_slice();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i as u32 % width + QUIET_ZONE, i as u32 / width + QUIET_ZONE);
            pixels[(y * side + x) as usize] = black;
        }
    }
    Some(Image::from_rgb8(buffer))
}
