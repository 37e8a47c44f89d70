//! W3C credentials (OpenID4VCI 1.0 Appendix A.1): the issuer signs them as the `did:key` of its
//! one signing key, so any verifier resolves the key offline and a trust list names the issuer
//! by that DID; the wallet ties the DID to the issuer URL through the key the issuer publishes
//! in its JWT VC Issuer Metadata. The holder key a wallet proved becomes `credentialSubject.id`
//! (as a `did:key`), and each credential carries Bitstring Status List entries for revocation
//! and suspension at the credential's slot in the issuer's status lists (list number and index).

use saifu_credential::status::bitstring::{
    BitstringStatusList, MIN_ENTRIES, StatusEntry, StatusPurpose,
};
use saifu_credential::w3c::contexts::{self, CREDENTIALS_V1, CREDENTIALS_V2};
use saifu_credential::w3c::datetime;
use saifu_credential::w3c::di::{self, ASSERTION_METHOD, ProofOptions};
use saifu_crypto::{Algorithm, PublicKey, Signer};
use saifu_oid4vc::w3c::{Named, cryptosuite_for, did_key, jwt_vc};
use serde_json::{Map, Value, json};

use crate::clock::now;
use crate::config::{CredentialConfig, IssuerConfig, W3cDefinition, W3cFormat};
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::revocation::{STATUS_REVOKED, STATUS_SUSPENDED};
use crate::status_lists::{StatusSlot, bitstring_list_name, bitstring_list_number};
use crate::store::IssuerStore;

/// The names (`/status/{name}`) of the Bitstring Status Lists of the first status list; later
/// lists add their number (`w3c-revocation-2`).
pub const BITSTRING_LISTS: [(&str, StatusPurpose); 2] = [
    ("w3c-revocation", StatusPurpose::Revocation),
    ("w3c-suspension", StatusPurpose::Suspension),
];

fn signing(e: impl std::fmt::Display) -> IssuerError {
    IssuerError::Signing(e.to_string())
}

/// Refuses a W3C definition the issuer could not sign: no type of its own, or an `ldp_vc`
/// context that is not bundled (it could not be canonicalized).
pub(crate) fn check_definition(definition: &W3cDefinition) -> Result<(), IssuerError> {
    if definition.types.iter().all(|t| t.trim().is_empty()) {
        return Err(IssuerError::InvalidInput(
            "a W3C credential type needs at least one `type` besides VerifiableCredential".into(),
        ));
    }
    if definition.format == W3cFormat::LdpVc
        && let Some(unknown) = definition
            .contexts
            .iter()
            .find(|c| contexts::bundled(c).is_none())
    {
        return Err(IssuerError::InvalidInput(format!(
            "context `{unknown}` is not bundled, so `ldp_vc` credentials could not be signed"
        )));
    }
    Ok(())
}

impl W3cDefinition {
    /// The `@context` of credentials of this type: the base context of the format first.
    pub fn context(&self) -> Vec<String> {
        let base = match self.format {
            W3cFormat::JwtVcJson => CREDENTIALS_V1,
            W3cFormat::LdpVc => CREDENTIALS_V2,
        };
        std::iter::once(base.to_owned())
            .chain(self.contexts.iter().cloned())
            .collect()
    }

    /// The `type` of credentials of this type.
    pub fn types(&self) -> Vec<String> {
        std::iter::once("VerifiableCredential".to_owned())
            .chain(self.types.iter().cloned())
            .collect()
    }
}

impl IssuerConfig {
    /// The issuer's DID in W3C credentials: the `did:key` of its signing key.
    pub fn issuer_did(&self) -> String {
        did_key(self.signer.public_key())
    }

    /// The URL of the Bitstring Status List credential of kind `name` (`w3c-revocation`) for
    /// the 0-based status list `list`.
    pub fn bitstring_list_uri(&self, name: &str, list: i64) -> String {
        self.endpoint(&format!("/status/{}", bitstring_list_name(name, list)))
    }
}

impl<S: IssuerStore> Issuer<S> {
    /// Signs one W3C credential of `definition` for `holder` with its status in `slot`.
    pub(crate) async fn sign_w3c(
        &self,
        config: &CredentialConfig,
        definition: &W3cDefinition,
        claims: &Map<String, Value>,
        holder: Option<&PublicKey>,
        slot: StatusSlot,
    ) -> Result<Value, IssuerError> {
        let issuer = self.config().issuer_did();
        let holder_did = holder.map(did_key);
        let mut subject = Map::new();
        if let Some(did) = &holder_did {
            subject.insert("id".into(), did.clone().into());
        }
        subject.extend(claims.iter().map(|(k, v)| (k.clone(), v.clone())));
        let status: Vec<Value> = BITSTRING_LISTS
            .iter()
            .map(|(name, purpose)| {
                let list = self.config().bitstring_list_uri(name, slot.list);
                let index = slot.index;
                StatusEntry {
                    purpose: *purpose,
                    index: index as usize,
                    list_credential: list.clone(),
                }
                .to_json(&format!("{list}#{index}"))
            })
            .collect();
        let issued_at = now();
        let expires_at = issued_at + config.validity;
        let signer = &self.config().signer;
        match definition.format {
            W3cFormat::JwtVcJson => {
                let Value::Object(vc) = json!({
                    "@context": definition.context(),
                    "type": definition.types(),
                    "credentialSubject": subject,
                    "credentialStatus": status,
                }) else {
                    unreachable!("a JSON object literal")
                };
                let claims = jwt_vc::CredentialClaims {
                    issuer: &issuer,
                    subject: holder_did.as_deref(),
                    issued_at,
                    expires_at: Some(expires_at),
                };
                let signer = Named::did_key(signer, Algorithm::EdDSA).map_err(signing)?;
                let jwt = jwt_vc::sign_credential(&vc, &claims, &signer)
                    .await
                    .map_err(signing)?;
                Ok(Value::String(jwt))
            }
            W3cFormat::LdpVc => {
                let credential = json!({
                    "@context": definition.context(),
                    "type": definition.types(),
                    "issuer": issuer,
                    "validFrom": datetime::format(issued_at),
                    "validUntil": datetime::format(expires_at),
                    "credentialSubject": subject,
                    "credentialStatus": status,
                });
                self.secure(&credential, issued_at).await
            }
        }
    }

    /// Adds the issuer's Data Integrity `assertionMethod` proof to `document`.
    async fn secure(&self, document: &Value, created: i64) -> Result<Value, IssuerError> {
        let signer = &self.config().signer;
        let suite = cryptosuite_for(signer.public_key().key_type()).ok_or_else(|| {
            signing(format!(
                "no Data Integrity cryptosuite for the issuer's {} key",
                signer.public_key().key_type()
            ))
        })?;
        let signer = Named::did_key(signer, suite.algorithm()).map_err(signing)?;
        let method = signer.key_id().unwrap_or_default().to_owned();
        let mut options = ProofOptions::new(suite, method, ASSERTION_METHOD);
        options.created = Some(datetime::format(created));
        di::add_proof(document, &options, &signer)
            .await
            .map_err(signing)
    }

    /// The signed `BitstringStatusListCredential` named `name` (Bitstring Status List §2.2):
    /// a set bit for every credential of that status list revoked (`w3c-revocation…`) or
    /// suspended (`w3c-suspension…`). `None` for an unknown name or a list not opened.
    pub async fn bitstring_status_list(&self, name: &str) -> Result<Option<Value>, IssuerError> {
        let Some((base, purpose, number)) = BITSTRING_LISTS.iter().find_map(|(base, purpose)| {
            bitstring_list_number(base, name).map(|number| (base, purpose, number))
        }) else {
            return Ok(None);
        };
        let Some(list) = self.status_list(number).await? else {
            return Ok(None);
        };
        let set = match purpose {
            StatusPurpose::Revocation => STATUS_REVOKED,
            _ => STATUS_SUSPENDED,
        };
        // A Bitstring list has at least MIN_ENTRIES bits (§2.1); a smaller status list fills
        // the front and leaves the rest unused.
        let size = usize::try_from(list.capacity)
            .map_err(signing)?
            .max(MIN_ENTRIES);
        let mut bits = BitstringStatusList::new(size).map_err(signing)?;
        for (index, value) in self.list_entries(&list).await? {
            if value == set {
                let index = usize::try_from(index).map_err(signing)?;
                bits.set(index, true).map_err(signing)?;
            }
        }
        let issued_at = now();
        let credential = bits.to_credential(
            &self.config().bitstring_list_uri(base, number),
            &self.config().issuer_did(),
            *purpose,
            &datetime::format(issued_at),
        );
        self.secure(&credential, issued_at).await.map(Some)
    }
}
