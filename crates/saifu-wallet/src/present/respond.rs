//! Answering a request the holder approved (OpenID4VP 1.0 §8): one SD-JWT presentation per
//! chosen credential, disclosing exactly the approved claims, key-bound to the verifier's
//! client id and nonce with a copy no other verifier has seen; then `direct_post` or
//! `direct_post.jwt`, and a history entry whatever the outcome.

use saifu_credential::sd_jwt::{ClaimPath, KeyBindingRequest, Limits, SdJwt};
use saifu_crypto::jwe::{self, ContentEncryption, EncryptOptions};
use saifu_crypto::{Algorithm, Jwk, KeyType, LocalSigner, PrivateKey, PublicKey};
use saifu_did::http::Outbound;
use saifu_oid4vc::w3c::jwt_vc::{self, Binding};
use saifu_oid4vc::w3c::{JWT_VC_JSON, LDP_VC, did_key_method, ldp_vc};
use serde_json::{Map, Value};

use super::consent::{Approval, ConsentView};
use super::request::{PresentationRequest, ResponseMode};
use crate::model::{HistoryEntry, SharedCredential, StoredCredential};
use crate::wallet::{Wallet, now, random_id};
use crate::{WalletError, wire};

/// What happened to an answer the verifier accepted.
#[derive(Debug, Clone)]
pub struct Presented {
    /// Where the verifier wants the holder's browser to go next, if anywhere.
    pub redirect_uri: Option<String>,
    /// The history entry recorded.
    pub history: HistoryEntry,
}

/// One presentation prepared for a query.
struct Prepared {
    query: String,
    presentation: Value,
    credential: StoredCredential,
    copy: usize,
    shared: SharedCredential,
}

impl Wallet {
    /// Presents what `approval` chose from `view` to the verifier of `request`.
    pub async fn respond(
        &self,
        request: &PresentationRequest,
        view: &ConsentView,
        approval: &Approval,
    ) -> Result<Presented, WalletError> {
        for query in view.queries.iter().filter(|q| q.required) {
            if !approval.choices.iter().any(|c| c.query == query.id) {
                return Err(WalletError::CannotSatisfy(format!(
                    "the verifier requires `{}`; decline instead",
                    query.id
                )));
            }
        }
        let mut prepared = Vec::with_capacity(approval.choices.len());
        for choice in &approval.choices {
            let not_offered = || WalletError::NotOffered {
                query: choice.query.clone(),
                credential: choice.credential.clone(),
            };
            let query = view
                .queries
                .iter()
                .find(|q| q.id == choice.query)
                .ok_or_else(not_offered)?;
            let option = query
                .options
                .iter()
                .find(|o| o.credential == choice.credential)
                .ok_or_else(not_offered)?;
            // DCQL claims are all needed for the query to be answered (§6.4.1).
            if let Some(path) = choice.withheld.first() {
                return Err(WalletError::RequiredClaimWithheld {
                    query: query.id.clone(),
                    path: path.clone(),
                });
            }
            let paths: Vec<String> = option.claims.iter().map(|c| c.path.clone()).collect();
            let credential = self.credential(&option.credential).await?;
            let copy = pick_copy(&credential, &request.client_id, approval.allow_linkable)?;
            let presentation = match credential.format.as_str() {
                SD_JWT_VC => present(&credential, copy, &paths, request)
                    .await
                    .map(Value::String)?,
                _ => {
                    let bound = request
                        .dcql
                        .credentials
                        .iter()
                        .find(|q| q.id == query.id)
                        .is_none_or(|q| q.require_cryptographic_holder_binding);
                    present_w3c(&credential, copy, request, bound).await?
                }
            };
            prepared.push(Prepared {
                query: query.id.clone(),
                presentation,
                shared: SharedCredential {
                    credential: credential.id.clone(),
                    name: credential.display.name.clone(),
                    claims: paths,
                },
                credential,
                copy,
            });
        }
        let mut vp_token = Map::new();
        for p in &prepared {
            vp_token.insert(p.query.clone(), Value::Array(vec![p.presentation.clone()]));
        }
        let shared = prepared.iter().map(|p| p.shared.clone()).collect();
        let sent = self.send(request, Value::Object(vp_token)).await;
        let history = HistoryEntry {
            id: random_id(),
            at: now(),
            verifier: request.client_id.clone(),
            verifier_name: request.verifier_name.clone(),
            shared,
            outcome: match &sent {
                Ok(_) => "sent".to_owned(),
                Err(e) => format!("failed: {e}"),
            },
        };
        // The copies were shown even when the verifier refused the answer.
        for mut p in prepared {
            p.credential.copies[p.copy].shown_to = Some(request.client_id.clone());
            self.save_credential(&p.credential).await?;
        }
        self.record_history(&history).await?;
        let answer = sent?;
        Ok(Presented {
            redirect_uri: answer["redirect_uri"].as_str().map(str::to_owned),
            history,
        })
    }

    /// Tells the verifier the holder declined (§8.5 `access_denied`) and records it.
    pub async fn decline(
        &self,
        request: &PresentationRequest,
    ) -> Result<HistoryEntry, WalletError> {
        let mut fields = vec![("error", "access_denied")];
        if let Some(state) = &request.state {
            fields.push(("state", state));
        }
        let target = wire::url(&request.response_uri)?;
        // The verifier's answer to a refusal changes nothing for the holder.
        let _ = self
            .http
            .exchange(Outbound::post(
                &target,
                "application/x-www-form-urlencoded",
                wire::form(&fields),
            ))
            .await;
        let history = HistoryEntry {
            id: random_id(),
            at: now(),
            verifier: request.client_id.clone(),
            verifier_name: request.verifier_name.clone(),
            shared: Vec::new(),
            outcome: "declined".to_owned(),
        };
        self.record_history(&history).await?;
        Ok(history)
    }

    async fn send(
        &self,
        request: &PresentationRequest,
        vp_token: Value,
    ) -> Result<Value, WalletError> {
        let vp_token_text = vp_token.to_string();
        let body = match request.response_mode {
            ResponseMode::DirectPost => {
                let mut fields = vec![("vp_token", vp_token_text.as_str())];
                if let Some(state) = &request.state {
                    fields.push(("state", state));
                }
                wire::form(&fields)
            }
            ResponseMode::DirectPostJwt => {
                let jwe = encrypt_response(request, vp_token)?;
                wire::form(&[("response", jwe.as_str())])
            }
        };
        let target = wire::url(&request.response_uri)?;
        let answer = self
            .http
            .exchange(Outbound::post(
                &target,
                "application/x-www-form-urlencoded",
                body,
            ))
            .await?;
        wire::json_answer(&request.response_uri, answer)
    }
}

/// The copy to present to `client_id`: one already shown to it, else one never shown, else
/// (only when the holder accepts being linkable) the first.
fn pick_copy(
    credential: &StoredCredential,
    client_id: &str,
    allow_linkable: bool,
) -> Result<usize, WalletError> {
    let copies = &credential.copies;
    copies
        .iter()
        .position(|c| c.shown_to.as_deref() == Some(client_id))
        .or_else(|| copies.iter().position(|c| c.shown_to.is_none()))
        .or_else(|| (allow_linkable && !copies.is_empty()).then_some(0))
        .ok_or_else(|| WalletError::Linkable {
            credential: credential.id.clone(),
        })
}

/// The SD-JWT presentation of copy `copy` disclosing `paths`, key-bound to the request.
async fn present(
    credential: &StoredCredential,
    copy: usize,
    paths: &[String],
    request: &PresentationRequest,
) -> Result<String, WalletError> {
    let copy = &credential.copies[copy];
    let malformed = |e: &dyn std::fmt::Display| {
        WalletError::Corrupted(format!("credential {}: {e}", credential.id))
    };
    let sd_jwt =
        SdJwt::parse_compact(&copy.credential, &Limits::default()).map_err(|e| malformed(&e))?;
    let paths = paths
        .iter()
        .map(|p| p.parse::<ClaimPath>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| malformed(&e))?;
    let signer = holder_signer(&copy.holder_key)?;
    let binding = KeyBindingRequest {
        audience: &request.client_id,
        nonce: &request.nonce,
        issued_at: now(),
    };
    let presented = sd_jwt
        .present_with_key_binding(&paths, &binding, &signer)
        .await
        .map_err(|e| malformed(&e))?;
    Ok(presented.to_compact())
}

/// The SD-JWT VC format identifier.
const SD_JWT_VC: &str = "dc+sd-jwt";

/// The verifiable presentation of W3C copy `copy`, signed by its holder key (the `did:key` that
/// is its `credentialSubject.id`) for the request's nonce and client id: a VP-JWT for
/// `jwt_vc_json`, a Data Integrity presentation for `ldp_vc` (OpenID4VP 1.0 B.1.3). When the
/// query does not require holder binding (`bound` false), the credential itself (B.1).
async fn present_w3c(
    credential: &StoredCredential,
    copy: usize,
    request: &PresentationRequest,
    bound: bool,
) -> Result<Value, WalletError> {
    let copy = &credential.copies[copy];
    let malformed = |e: &dyn std::fmt::Display| {
        WalletError::Corrupted(format!("credential {}: {e}", credential.id))
    };
    if !bound {
        return match credential.format.as_str() {
            JWT_VC_JSON => Ok(Value::String(copy.credential.clone())),
            _ => serde_json::from_str(&copy.credential).map_err(|e| malformed(&e)),
        };
    }
    let key = PrivateKey::from_jwk(&copy.holder_key)?;
    let method = did_key_method(key.public_key());
    let binding = Binding {
        nonce: &request.nonce,
        audience: &request.client_id,
    };
    match credential.format.as_str() {
        JWT_VC_JSON => {
            let signer = holder_signer(&copy.holder_key)?.with_key_id(method);
            jwt_vc::sign_presentation(&copy.credential, &binding, now(), &signer)
                .await
                .map(Value::String)
                .map_err(|e| malformed(&e))
        }
        LDP_VC => {
            let signer = LocalSigner::new(key)?.with_key_id(method);
            let issued: Value =
                serde_json::from_str(&copy.credential).map_err(|e| malformed(&e))?;
            ldp_vc::sign_presentation(&issued, &binding, now(), &signer)
                .await
                .map_err(|e| malformed(&e))
        }
        other => Err(WalletError::Unsupported(format!("presenting `{other}`"))),
    }
}

/// The signer of a stored holder key; Ed25519 signs as `EdDSA`, the name every verifier knows.
fn holder_signer(jwk: &Jwk) -> Result<LocalSigner, WalletError> {
    let key = PrivateKey::from_jwk(jwk)?;
    let ed25519 = key.key_type() == KeyType::Ed25519;
    let signer = LocalSigner::new(key)?;
    Ok(if ed25519 {
        signer.with_algorithm(Algorithm::EdDSA)?
    } else {
        signer
    })
}

/// The `direct_post.jwt` JWE of `vp_token` (§8.3): to the first usable key of the verifier's
/// `client_metadata.jwks`, with the first content encryption it supports.
fn encrypt_response(request: &PresentationRequest, vp_token: Value) -> Result<String, WalletError> {
    let metadata = &request.client_metadata;
    let keys = metadata
        .get("jwks")
        .and_then(|jwks| jwks.get("keys"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            WalletError::Malformed("direct_post.jwt without client_metadata.jwks".into())
        })?;
    let (jwk, key) = keys
        .iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
        .find_map(|jwk| {
            let key = PublicKey::from_jwk(&jwk).ok()?;
            matches!(key.key_type(), KeyType::P256 | KeyType::X25519).then_some((jwk, key))
        })
        .ok_or_else(|| {
            WalletError::Unsupported("no P-256 or X25519 response encryption key".into())
        })?;
    let enc = metadata
        .get("encrypted_response_enc_values_supported")
        .and_then(Value::as_array)
        .and_then(|values| {
            values
                .iter()
                .filter_map(Value::as_str)
                .find_map(|v| v.parse::<ContentEncryption>().ok())
        })
        .unwrap_or(ContentEncryption::A128Gcm);
    let mut payload = Map::new();
    payload.insert("vp_token".into(), vp_token);
    if let Some(state) = &request.state {
        payload.insert("state".into(), state.clone().into());
    }
    let kid = jwk.kid.clone();
    let options = EncryptOptions {
        kid: kid.as_deref(),
        ..EncryptOptions::new(enc)
    };
    let plaintext = serde_json::to_vec(&payload).expect("JSON serializes");
    jwe::encrypt(&key, &plaintext, &options)
        .map_err(|e| WalletError::Malformed(format!("encrypting the response: {e}")))
}
