//! QR codes as inline SVG, for offer and presentation-request links a phone scans.

use qrcode::QrCode;
use qrcode::render::svg;

/// `data` as an SVG QR code (medium error correction), or `None` when it is too long to fit.
pub(crate) fn qr_svg(data: &str) -> Option<String> {
    let code = QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_an_svg_and_refuses_what_cannot_fit() {
        let svg =
            qr_svg("openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fx").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
        assert!(qr_svg(&"x".repeat(8000)).is_none());
    }
}
