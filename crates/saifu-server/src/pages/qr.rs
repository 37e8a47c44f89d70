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

/// The default of the admin API's `qr` request member: answers carry a QR code unless the
/// client says it only needs the link (`"qr": false`). Rendering is most of the cost of
/// creating an offer or a presentation session (its mask scoring above all), which a backend
/// that deep-links or draws its own code should not pay.
pub(crate) fn qr_by_default() -> bool {
    true
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
