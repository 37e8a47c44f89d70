//! W3C Verifiable Credentials Data Model 2.0, secured with Data Integrity (eddsa-rdfc-2022,
//! eddsa-jcs-2022, ecdsa-rdfc-2019) or VC-JOSE-COSE (`vc+jwt` / `vp+jwt`).
//!
//! The layers, from the bytes up:
//!
//! * [`contexts`]: the JSON-LD contexts bundled into the binary (never fetched);
//! * [`rdf`]: JSON-LD to RDF (a fast path that keeps processed contexts, `oxjsonld` for the
//!   rest) and RDFC-1.0 canonicalization, with work limits;
//! * [`datetime`]: XML Schema dateTimeStamp values (`validFrom`, `created`, …);
//! * [`model`]: the VCDM 2.0 MUSTs, each violation a [`ModelError`] variant;
//! * [`di`]: Data Integrity proofs — create, verify, proof sets and chains;
//! * [`verify`](mod@verify): the verifier's entry point combining model, proofs and issuer binding;
//! * [`jose`]: VC-JOSE-COSE compact JWS envelopes.

pub mod contexts;
pub mod di;
mod error;
mod expand;
pub mod jose;
pub mod model;
pub mod rdf;
pub mod verify;

/// XML Schema dateTimeStamp values, shared with the DID layer (proof `created`, `versionTime`).
pub use saifu_did::datetime;

pub use error::{JsonLdError, ModelError, ProofError, VerifyError};
