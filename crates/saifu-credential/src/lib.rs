//! saifu-credential — credential formats and status: SD-JWT / SD-JWT VC, W3C VCs, status lists,
//! behind one format-neutral view.
//!
//! Issuers use it to produce credentials and the status lists that revoke or suspend them;
//! wallets and verifiers use it to check both. [`status`] holds the IETF Token Status List and
//! the W3C Bitstring Status List; [`w3c`] holds VCDM 2.0 credentials with Data Integrity and
//! VC-JOSE-COSE.

pub mod sd_jwt;
pub mod sd_jwt_vc;
pub mod status;
pub mod w3c;
