//! The OpenID for Verifiable Credential Issuance 1.0 wire layer: offers, metadata, token and
//! credential endpoint messages, and `jwt` key proofs. No HTTP and no storage: the issuer
//! and wallet services build on these types.
//!
//! Parsing is strict and only the 1.0 names are emitted; draft-era names are refused with an
//! error that names the replacement.
//!
//! ```
//! use saifu_oid4vc::vci::offer::{OfferReference, OFFER_SCHEME};
//!
//! let link = "openid-credential-offer://?credential_offer=%7B%22credential_issuer%22%3A\
//!             %22https%3A%2F%2Fissuer.example.com%22%2C%22credential_configuration_ids%22%3A\
//!             %5B%22pid%22%5D%7D";
//! let OfferReference::ByValue(offer) = OfferReference::parse_link(link)? else {
//!     unreachable!()
//! };
//! assert_eq!(offer.credential_configuration_ids, ["pid"]);
//! let again = OfferReference::ByValue(offer).to_link(OFFER_SCHEME);
//! assert!(again.starts_with(OFFER_SCHEME));
//! # Ok::<(), saifu_oid4vc::vci::offer::OfferError>(())
//! ```

pub mod credential;
mod legacy;
pub mod metadata;
pub mod offer;
pub mod proof;
pub mod token;

pub use legacy::LegacyName;
