//! The W3C Verifiable Credential formats of OpenID4VCI 1.0 Appendix A.1 and OpenID4VP 1.0
//! Appendix B.1, over the securing mechanisms of `saifu_credential::w3c`:
//!
//! * [`jwt_vc`] — `jwt_vc_json`: both final specifications define this format by reference to
//!   VCDM **1.1** (their `VC_DATA` reference is the 2022 Recommendation), so the credential is a
//!   VCDM 1.1 §6.3 JWT (`iss`, `sub`, `nbf`, `exp` and the credential in the `vc` claim) and the
//!   presentation a VP-JWT (`vp` claim) carrying the request's `nonce` and `aud`
//!   (OpenID4VP 1.0 B.1.3.1.5). This is the one place saifu emits the `vc`/`vp` claim wrapping
//!   and the 2018 base context; VCDM 2.0 `vc+jwt` (VC-JOSE-COSE) is a different thing.
//! * [`ldp_vc`] — `ldp_vc`: a VCDM 2.0 credential with a Data Integrity proof, presented in a
//!   verifiable presentation whose `authentication` proof carries `challenge` = nonce and
//!   `domain` = client id (B.1.3.2.5).
//! * [`expanded_types`] — the fully expanded `type` IRIs DCQL `meta.type_values` matches (B.1.1).
//! * [`status`] — a credential's Bitstring Status List entry against its issuer's list.
//!
//! Holders and issuers are named by `did:key` DIDs, which resolve offline: the holder key a
//! wallet proves at issuance becomes `credentialSubject.id`, and the same key signs the
//! presentation, so a verifier checks holder binding without fetching anything.

mod error;
pub mod jwt_vc;
pub mod ldp_vc;
pub mod status;
mod types;

use saifu_credential::w3c::di::Cryptosuite;
use saifu_crypto::{Algorithm, KeyType, PublicKey, Signer};

pub use error::W3cFormatError;
pub use types::expanded_types;

/// The OpenID4VCI / OpenID4VP identifier of `jwt_vc_json` (A.1.1, B.1.3.1).
pub const JWT_VC_JSON: &str = "jwt_vc_json";
/// The OpenID4VCI / OpenID4VP identifier of `ldp_vc` (A.1.2, B.1.3.2).
pub const LDP_VC: &str = "ldp_vc";

/// The `did:key` DID naming `key`.
pub fn did_key(key: &PublicKey) -> String {
    saifu_did::key::did_key(key).to_string()
}

/// The `did:key` verification method of `key` (`did:key:z…#z…`, did:key §3.1.2).
pub fn did_key_method(key: &PublicKey) -> String {
    let multikey = key.to_multikey();
    format!("did:key:{multikey}#{multikey}")
}

/// The Data Integrity cryptosuite saifu signs with for a key type: `eddsa-rdfc-2022` for
/// Ed25519, `ecdsa-rdfc-2019` for P-256 (both require Linked Data canonicalization, as
/// `ldp_vc` does, OpenID4VCI 1.0 A.1.2).
pub fn cryptosuite_for(key_type: KeyType) -> Option<Cryptosuite> {
    match key_type {
        KeyType::Ed25519 => Some(Cryptosuite::EddsaRdfc2022),
        KeyType::P256 => Some(Cryptosuite::EcdsaRdfc2019),
        _ => None,
    }
}

/// A signer seen under another algorithm name and key id: the issuer's one key signs SD-JWT VCs
/// under its JWKS `kid`, and W3C credentials under its `did:key` method (with `Ed25519`, the
/// name the cryptosuites use, whatever the node calls it).
pub struct Named<'a> {
    inner: &'a dyn Signer,
    alg: Algorithm,
    kid: String,
}

impl<'a> Named<'a> {
    /// `inner` signing as `alg` (same key type) under `kid`.
    pub fn new(inner: &'a dyn Signer, alg: Algorithm, kid: String) -> Result<Self, W3cFormatError> {
        if alg.key_type() != inner.public_key().key_type() {
            return Err(W3cFormatError::Signing(format!(
                "{alg} cannot sign with a {} key",
                inner.public_key().key_type()
            )));
        }
        Ok(Named { inner, alg, kid })
    }

    /// `inner` under its `did:key` method, with its own algorithm — an Ed25519 key signing as
    /// `ed25519`: `Ed25519` for the cryptosuites, `EdDSA` in JWTs (the name JOSE peers know).
    pub fn did_key(inner: &'a dyn Signer, ed25519: Algorithm) -> Result<Self, W3cFormatError> {
        let alg = match inner.public_key().key_type() {
            KeyType::Ed25519 => ed25519,
            _ => inner.algorithm(),
        };
        Named::new(inner, alg, did_key_method(inner.public_key()))
    }
}

impl Signer for Named<'_> {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn public_key(&self) -> &PublicKey {
        self.inner.public_key()
    }

    fn key_id(&self) -> Option<&str> {
        Some(&self.kid)
    }

    fn sign<'b>(&'b self, message: &'b [u8]) -> saifu_crypto::SignFuture<'b> {
        // Ed25519 and EdDSA name the same signature (RFC 9864 §2.2), so the bytes are the
        // inner signer's whatever name it uses.
        self.inner.sign(message)
    }
}
