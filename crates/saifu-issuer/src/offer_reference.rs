//! Credential offers published by reference (`credential_offer_uri`, OpenID4VCI §4.1.3): the
//! link carries a random id; the database keeps the offer sealed under a key derived from that
//! id and indexed by its digest, so neither a database reader nor a log line sees a usable
//! pre-authorized code.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use rand::RngCore;
use rand::rngs::OsRng;
use saifu_oid4vc::vci::offer::CredentialOffer;
use sha2::Sha256;

use crate::clock::now;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::secret::{digest, random_token};
use crate::store::{IssuerStore, StoreFailure};

const NONCE_LEN: usize = 12;

fn cipher(reference: &str) -> Aes256Gcm {
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(None, reference.as_bytes())
        .expand(b"saifu credential offer reference v1", &mut key)
        .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 output length"));
    Aes256Gcm::new(&key.into())
}

fn seal(reference: &str, offer: &CredentialOffer) -> Result<String, IssuerError> {
    let plain = serde_json::to_vec(offer).map_err(|e| IssuerError::Signing(e.to_string()))?;
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let sealed = cipher(reference)
        .encrypt(&Nonce::from(nonce), plain.as_slice())
        .map_err(|_| IssuerError::Signing("sealing the offer failed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat()))
}

fn open(reference: &str, sealed: &str) -> Result<CredentialOffer, IssuerError> {
    let corrupt = || IssuerError::Store(StoreFailure("a stored offer does not open".into()));
    let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| corrupt())?;
    if bytes.len() < NONCE_LEN {
        return Err(corrupt());
    }
    let (nonce, body) = bytes.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| corrupt())?;
    let plain = cipher(reference)
        .decrypt(&Nonce::from(nonce), body)
        .map_err(|_| corrupt())?;
    serde_json::from_slice(&plain).map_err(|_| corrupt())
}

impl<S: IssuerStore> Issuer<S> {
    /// Publishes `offer` by reference; returns the `credential_offer_uri` wallets fetch it at
    /// (`/offers/{id}`), valid as long as offers are.
    pub async fn publish_offer(&self, offer: &CredentialOffer) -> Result<String, IssuerError> {
        let reference = random_token();
        let sealed = seal(&reference, offer)?;
        self.store()
            .insert_offer_reference(
                &digest(&reference),
                &sealed,
                now() + self.config().offer_ttl,
            )
            .await?;
        Ok(self.config().endpoint(&format!("/offers/{reference}")))
    }

    /// The offer published under `reference`, while it has not expired.
    pub async fn offer_by_reference(
        &self,
        reference: &str,
    ) -> Result<CredentialOffer, IssuerError> {
        let sealed = self
            .store()
            .find_offer_reference(&digest(reference), now())
            .await?
            .ok_or_else(|| IssuerError::NotFound("no such offer, or it has expired".into()))?;
        open(reference, &sealed)
    }
}
