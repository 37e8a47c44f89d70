//! The Credential Endpoint part of issuance (OpenID4VCI 1.0 §7–§11): nonce, one fresh holder key
//! and `jwt` proof per copy, the request, then credentials (verified before anything is
//! stored), a deferral, and the notification that the credentials were accepted.

use saifu_crypto::{Algorithm, LocalSigner, PrivateKey, jws};
use saifu_oid4vc::vci::credential::CredentialResponse;
use saifu_oid4vc::vci::metadata::CredentialConfiguration;
use saifu_oid4vc::vci::token::TokenResponse;
use saifu_oid4vc::w3c::{JWT_VC_JSON, LDP_VC, did_key_method};
use serde_json::{Map, Value, json};

use super::{OfferPreview, Received, display};
use crate::model::{CredentialStatus, PendingIssuance, StoredCredential};
use crate::wallet::{Wallet, now, random_id};
use crate::{WalletError, wire};

/// `typ` of an OpenID4VCI key proof (App. F.1).
const PROOF_TYP: &str = "openid4vci-proof+jwt";

/// The SD-JWT VC format identifier.
const SD_JWT_VC: &str = "dc+sd-jwt";

/// Holder key algorithms the wallet can prove, in preference order (HAIP prefers ES256).
const PROOF_ALGORITHMS: [Algorithm; 3] = [Algorithm::ES256, Algorithm::EdDSA, Algorithm::Ed25519];

impl Wallet {
    /// Receives every credential of `preview` with the access token in `token`; `client_id`
    /// goes into the key proofs when the wallet authenticated as a client (authorization code
    /// flow).
    pub(super) async fn receive_with_token(
        &self,
        preview: &OfferPreview,
        token: &TokenResponse,
        client_id: Option<&str>,
    ) -> Result<Received, WalletError> {
        let mut received = Received::default();
        for offered in &preview.credentials {
            let id = &offered.configuration_id;
            let configuration = &preview.metadata.credential_configurations_supported[id];
            let identifier = token.authorization_details.as_ref().and_then(|details| {
                details
                    .iter()
                    .find(|d| &d.credential_configuration_id == id)
                    .and_then(|d| d.credential_identifiers.first().cloned())
            });
            let request = CredentialAsk {
                preview,
                configuration_id: id,
                configuration,
                identifier: identifier.as_deref(),
                access_token: &token.access_token,
                client_id,
            };
            self.request_credential(&request, &mut received).await?;
        }
        Ok(received)
    }

    async fn request_credential(
        &self,
        ask: &CredentialAsk<'_>,
        received: &mut Received,
    ) -> Result<(), WalletError> {
        let metadata = &ask.preview.metadata;
        let copies = metadata
            .batch_credential_issuance
            .map_or(1, |batch| batch.batch_size as usize)
            .min(self.config.max_copies)
            .max(1);
        let alg = proof_algorithm(ask.configuration)?;
        let holders = (0..copies)
            .map(|_| {
                PrivateKey::generate(alg.key_type())
                    .and_then(LocalSigner::new)
                    .and_then(|signer| signer.with_algorithm(alg))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let endpoint = &metadata.credential_endpoint;
        let mut retried = false;
        let (status, body) = loop {
            let nonce = self.fresh_nonce(ask).await?;
            let mut proofs = Vec::with_capacity(holders.len());
            // W3C credentials bind the holder as a `did:key` (the binding method the issuer
            // lists for them), so the proof names the key by that DID URL.
            let by_did = ask.configuration.format != SD_JWT_VC;
            for holder in &holders {
                let target = ProofTarget {
                    audience: &metadata.credential_issuer,
                    nonce: nonce.as_deref(),
                    client_id: ask.client_id,
                    by_did,
                };
                proofs.push(proof(holder, &target).await?);
            }
            let mut request = Map::new();
            match ask.identifier {
                Some(identifier) => {
                    request.insert("credential_identifier".into(), identifier.into())
                }
                None => request.insert(
                    "credential_configuration_id".into(),
                    ask.configuration_id.into(),
                ),
            };
            request.insert("proofs".into(), json!({"jwt": proofs}));
            match wire::post_json(
                &self.http,
                endpoint,
                &Value::Object(request),
                Some(ask.access_token),
            )
            .await
            {
                Err(error) if !retried && wire::is_error(&error, "invalid_nonce") => retried = true,
                other => break other?,
            }
        };
        let response = CredentialResponse::parse(status, &body.to_string())
            .map_err(|e| WalletError::Malformed(format!("credential response: {e}")))?;
        let display = display::card(metadata, ask.configuration_id);
        let holder_keys = holders.iter().map(|h| h.private_key().to_jwk()).collect();
        match response {
            CredentialResponse::Issued(issued) => {
                let sent: Vec<Value> = issued
                    .credentials
                    .iter()
                    .map(|c| c.credential.clone())
                    .collect();
                let issued_to = IssuedTo {
                    issuer: &metadata.credential_issuer,
                    configuration_id: ask.configuration_id,
                    format: &ask.configuration.format,
                };
                let credential = self
                    .store_issued(&issued_to, display, &sent, holder_keys)
                    .await?;
                if let (Some(notification_id), Some(endpoint)) =
                    (&issued.notification_id, &metadata.notification_endpoint)
                {
                    self.notify(endpoint, ask.access_token, notification_id)
                        .await;
                }
                received.credentials.push(credential);
            }
            CredentialResponse::Deferred(deferred) => {
                let deferred_endpoint =
                    metadata
                        .deferred_credential_endpoint
                        .clone()
                        .ok_or_else(|| {
                            WalletError::Metadata(
                                "the issuer deferred but has no deferred_credential_endpoint"
                                    .into(),
                            )
                        })?;
                let pending = PendingIssuance {
                    id: random_id(),
                    issuer: metadata.credential_issuer.clone(),
                    configuration_id: ask.configuration_id.to_owned(),
                    deferred_endpoint,
                    access_token: ask.access_token.to_owned(),
                    transaction_id: deferred.transaction_id,
                    holder_keys,
                    display,
                    requested_at: now(),
                    notification_endpoint: metadata.notification_endpoint.clone(),
                    format: ask.configuration.format.clone(),
                };
                self.store
                    .put(
                        crate::store::Kind::Pending,
                        &pending.id,
                        pending.requested_at,
                        &pending,
                    )
                    .await?;
                received.pending.push(pending);
            }
        }
        Ok(())
    }

    /// Asks the issuer again for a deferred issuance; `Ok(None)` while it is still pending.
    pub async fn collect_deferred(
        &self,
        id: &str,
    ) -> Result<Option<StoredCredential>, WalletError> {
        let pending: PendingIssuance = self
            .store
            .get(crate::store::Kind::Pending, id)
            .await?
            .ok_or_else(|| WalletError::UnknownCredential(id.to_owned()))?;
        let body = json!({"transaction_id": pending.transaction_id});
        let (status, answer) = wire::post_json(
            &self.http,
            &pending.deferred_endpoint,
            &body,
            Some(&pending.access_token),
        )
        .await?;
        let response = CredentialResponse::parse(status, &answer.to_string())
            .map_err(|e| WalletError::Malformed(format!("deferred credential response: {e}")))?;
        let CredentialResponse::Issued(issued) = response else {
            return Ok(None);
        };
        let sent: Vec<Value> = issued
            .credentials
            .iter()
            .map(|c| c.credential.clone())
            .collect();
        let issued_to = IssuedTo {
            issuer: &pending.issuer,
            configuration_id: &pending.configuration_id,
            format: &pending.format,
        };
        let credential = self
            .store_issued(
                &issued_to,
                pending.display.clone(),
                &sent,
                pending.holder_keys.clone(),
            )
            .await?;
        self.store.delete(crate::store::Kind::Pending, id).await?;
        if let (Some(notification_id), Some(endpoint)) =
            (&issued.notification_id, &pending.notification_endpoint)
        {
            self.notify(endpoint, &pending.access_token, notification_id)
                .await;
        }
        Ok(Some(credential))
    }

    /// Verifies the issued credentials `sent` against the holder keys and stores them as one
    /// credential.
    async fn store_issued(
        &self,
        to: &IssuedTo<'_>,
        display: crate::model::CardDisplay,
        sent: &[Value],
        holder_keys: Vec<saifu_crypto::Jwk>,
    ) -> Result<StoredCredential, WalletError> {
        let checked = if to.format == SD_JWT_VC {
            let texts = sent
                .iter()
                .map(|c| {
                    c.as_str().map(str::to_owned).ok_or_else(|| {
                        WalletError::InvalidCredential("an SD-JWT VC must be a string".into())
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            self.check_issued(to.issuer, &texts, &holder_keys).await?
        } else {
            self.check_issued_w3c(to.format, to.issuer, sent, &holder_keys)
                .await?
        };
        let credential = StoredCredential {
            id: random_id(),
            format: to.format.to_owned(),
            issuer: to.issuer.to_owned(),
            configuration_id: to.configuration_id.to_owned(),
            vct: checked.vct,
            types: checked.types,
            display,
            claims: checked.claims,
            issuer_key: checked.issuer_key,
            copies: checked.copies,
            status: CredentialStatus::Valid,
            status_checked_at: None,
            received_at: now(),
            expires_at: checked.expires_at,
        };
        self.save_credential(&credential).await?;
        Ok(credential)
    }

    async fn fresh_nonce(&self, ask: &CredentialAsk<'_>) -> Result<Option<String>, WalletError> {
        let Some(endpoint) = &ask.preview.metadata.nonce_endpoint else {
            return Ok(None);
        };
        let answer = wire::post_form(&self.http, endpoint, &[]).await?;
        answer["c_nonce"]
            .as_str()
            .map(|nonce| Some(nonce.to_owned()))
            .ok_or_else(|| WalletError::Malformed("the nonce endpoint sent no c_nonce".into()))
    }

    /// Tells the issuer the credentials were stored (§11). Best effort: a failed notification
    /// does not undo a successful issuance.
    async fn notify(&self, endpoint: &str, access_token: &str, notification_id: &str) {
        let body = json!({"notification_id": notification_id, "event": "credential_accepted"});
        let _ = wire::post_json(&self.http, endpoint, &body, Some(access_token)).await;
    }
}

/// Whom a credential came from, for which configuration, in which format.
struct IssuedTo<'a> {
    issuer: &'a str,
    configuration_id: &'a str,
    format: &'a str,
}

/// One Credential Request's inputs.
struct CredentialAsk<'a> {
    preview: &'a OfferPreview,
    configuration_id: &'a str,
    configuration: &'a CredentialConfiguration,
    identifier: Option<&'a str>,
    access_token: &'a str,
    client_id: Option<&'a str>,
}

/// The holder key algorithm, among those the configuration accepts in `jwt` proofs.
fn proof_algorithm(configuration: &CredentialConfiguration) -> Result<Algorithm, WalletError> {
    if ![SD_JWT_VC, JWT_VC_JSON, LDP_VC].contains(&configuration.format.as_str()) {
        return Err(WalletError::Unsupported(format!(
            "credential format `{}`",
            configuration.format
        )));
    }
    let accepted = configuration
        .proof_types_supported
        .as_ref()
        .and_then(|types| types.get("jwt"))
        .map(|jwt| jwt.proof_signing_alg_values_supported.clone())
        .ok_or_else(|| WalletError::Unsupported("the issuer accepts no `jwt` key proofs".into()))?;
    PROOF_ALGORITHMS
        .into_iter()
        .find(|alg| accepted.iter().any(|a| a == alg.jose_name()))
        .ok_or_else(|| {
            WalletError::Unsupported(format!("none of the proof algorithms {accepted:?}"))
        })
}

/// Where a key proof goes and how it names the key.
struct ProofTarget<'a> {
    /// The Credential Issuer Identifier.
    audience: &'a str,
    /// The issuer's `c_nonce`.
    nonce: Option<&'a str>,
    /// The wallet's client id, when it authenticated.
    client_id: Option<&'a str>,
    /// Name the key by its `did:key` URL (`kid`) instead of a `jwk` header.
    by_did: bool,
}

/// A `jwt` key proof of `holder` for `target` (App. F.1).
async fn proof(holder: &LocalSigner, target: &ProofTarget<'_>) -> Result<String, WalletError> {
    let mut header = Map::new();
    header.insert("typ".into(), PROOF_TYP.into());
    let public = holder.private_key().public_key();
    if target.by_did {
        header.insert("kid".into(), did_key_method(public).into());
    } else {
        header.insert(
            "jwk".into(),
            serde_json::to_value(public.to_jwk()).expect("a JWK serializes"),
        );
    }
    let mut claims = json!({"aud": target.audience, "iat": now()});
    if let Some(nonce) = target.nonce {
        claims["nonce"] = nonce.into();
    }
    if let Some(client_id) = target.client_id {
        claims["iss"] = client_id.into();
    }
    let payload = serde_json::to_vec(&claims).expect("JSON serializes");
    jws::sign_compact(&header, &payload, holder)
        .await
        .map_err(|e| WalletError::Malformed(format!("signing the key proof: {e}")))
}
