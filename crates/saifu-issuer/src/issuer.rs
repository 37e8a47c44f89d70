//! The issuer's protocol operations: offers, token exchange, nonces, credentials, status list.

use std::collections::BTreeSet;

use saifu_credential::sd_jwt::{ClaimPath, Segment};
use saifu_credential::sd_jwt_vc::VcIssuance;
use saifu_credential::status::{ReferenceOptions, StatusReference};
use saifu_credential::w3c::di::{AUTHENTICATION, DidKeyResolver, MethodResolver};
use saifu_crypto::{PublicKey, Signer};
use saifu_oid4vc::vci::credential::{
    CredentialError, CredentialRequest, CredentialResponse, CredentialTarget, Issued,
    IssuedCredential, Proofs,
};
use saifu_oid4vc::vci::offer::{
    AuthorizationCodeGrant, CredentialOffer, Grants, PreAuthorizedCodeGrant, TxCode,
};
use saifu_oid4vc::vci::proof::{ProofExpectations, VerifiedProof, verify_jwt_proof};
use saifu_oid4vc::vci::token::{TokenError, TokenRequest, TokenResponse};
use serde_json::{Map, Value};

use crate::catalog::Added;
use crate::clock::now;
use crate::config::{CredentialConfig, IssuerConfig};
use crate::error::IssuerError;
use crate::metadata::PROOF_ALGORITHMS;
use crate::response_encryption::{CredentialReply, ResponseEncryptor};
use crate::revocation::STATUS_VALID;
use crate::secret::{digest, random_pin, random_token};
use crate::store::{IssuedRecord, IssuerStore, OfferRecord, SessionRecord, StoreFailure};

const DEFAULT_PIN_LENGTH: u32 = 6;
const PROOF_MAX_AGE: i64 = 300;
const PROOF_FUTURE_SKEW: i64 = 60;

/// A freshly created offer: what to hand the wallet, and the PIN to send out of band.
#[derive(Debug, Clone)]
pub struct NewOffer {
    /// The Credential Offer, with its pre-authorized code.
    pub offer: CredentialOffer,
    /// The pre-authorized code (also inside `offer`).
    pub pre_authorized_code: String,
    /// The Transaction Code, when the offer requires one.
    pub pin: Option<String>,
}

/// Whom an offer is for.
#[derive(Debug, Clone)]
pub enum Recipient<'a> {
    /// A registered subject, whose current claims the credential carries.
    Subject(&'a str),
    /// Claims given with the offer (no subject record).
    Claims(Map<String, Value>),
}

/// How an offer may be redeemed.
#[derive(Debug, Clone, Default)]
pub struct OfferTerms {
    /// Require a PIN (the Transaction Code) at the Token Endpoint.
    pub tx_code: Option<TxCode>,
    /// Also offer the authorization code grant (the subject logs in at the issuer).
    pub authorization_code: bool,
    /// Hold issuance until the operator approves it (deferred issuance, §9).
    pub deferred: bool,
}

/// An issuer: its configuration and its store.
#[derive(Debug)]
pub struct Issuer<S> {
    config: IssuerConfig,
    store: S,
    added: Added,
}

impl<S: IssuerStore> Issuer<S> {
    /// An issuer over `store`.
    pub fn new(config: IssuerConfig, store: S) -> Self {
        Issuer {
            config,
            store,
            added: Added::default(),
        }
    }

    /// The credential types added through the admin API.
    pub(crate) fn added(&self) -> &Added {
        &self.added
    }

    /// The configuration.
    pub fn config(&self) -> &IssuerConfig {
        &self.config
    }

    /// The store, for the role's other modules.
    pub(crate) fn store(&self) -> &S {
        &self.store
    }

    /// Creates an offer of credential `config_id` with the subject `claims`; with `tx_code`, a
    /// numeric PIN of `tx_code.length` digits (default 6) is required at the Token Endpoint.
    pub async fn create_offer(
        &self,
        claims: Map<String, Value>,
        config_id: &str,
        tx_code: Option<TxCode>,
    ) -> Result<NewOffer, IssuerError> {
        let terms = OfferTerms {
            tx_code,
            ..OfferTerms::default()
        };
        self.create_offer_for(Recipient::Claims(claims), config_id, terms)
            .await
    }

    /// Creates an offer of credential `config_id` for the registered subject `subject_id`,
    /// carrying the subject's current claims; what is issued is recorded against the subject.
    ///
    /// With `authorization_code`, the offer also carries the authorization code grant with an
    /// `issuer_state` only this subject can redeem by logging in, so a wallet may use either.
    pub async fn create_subject_offer(
        &self,
        subject_id: &str,
        config_id: &str,
        tx_code: Option<TxCode>,
        authorization_code: bool,
    ) -> Result<NewOffer, IssuerError> {
        let terms = OfferTerms {
            tx_code,
            authorization_code,
            deferred: false,
        };
        self.create_offer_for(Recipient::Subject(subject_id), config_id, terms)
            .await
    }

    /// Creates an offer of credential `config_id` for `recipient` on `terms`.
    pub async fn create_offer_for(
        &self,
        recipient: Recipient<'_>,
        config_id: &str,
        terms: OfferTerms,
    ) -> Result<NewOffer, IssuerError> {
        let (claims, subject_id) = match recipient {
            Recipient::Claims(claims) => (claims, None),
            Recipient::Subject(id) => {
                let subject = self.subject(id).await?;
                let claims: Map<String, Value> = serde_json::from_str(&subject.claims)
                    .map_err(|e| IssuerError::Store(StoreFailure(Box::new(e))))?;
                (claims, Some(subject.id))
            }
        };
        if terms.authorization_code && subject_id.is_none() {
            return Err(IssuerError::InvalidInput(
                "authorization code offers are made for a registered subject".into(),
            ));
        }
        let mut created = self
            .offer(claims, subject_id.clone(), config_id, &terms)
            .await?;
        if terms.authorization_code {
            let issuer_state = self
                .issuer_state_for(config_id, subject_id.as_deref())
                .await?;
            if let Some(grants) = created.offer.grants.as_mut() {
                grants.authorization_code = Some(AuthorizationCodeGrant {
                    issuer_state: Some(issuer_state),
                    authorization_server: None,
                });
            }
        }
        Ok(created)
    }

    async fn offer(
        &self,
        claims: Map<String, Value>,
        subject_id: Option<String>,
        config_id: &str,
        terms: &OfferTerms,
    ) -> Result<NewOffer, IssuerError> {
        if self.find_configuration(config_id).await?.is_none() {
            return Err(IssuerError::UnknownConfiguration(config_id.to_owned()));
        }
        let code = random_token();
        let tx_code = terms.tx_code.clone().map(|tx| TxCode {
            length: Some(tx.length.unwrap_or(DEFAULT_PIN_LENGTH)),
            ..tx
        });
        let pin = tx_code
            .as_ref()
            .map(|tx| random_pin(tx.length.unwrap_or(DEFAULT_PIN_LENGTH)));
        let record = OfferRecord {
            code_digest: digest(&code),
            config_id: config_id.to_owned(),
            claims: Value::Object(claims).to_string(),
            tx_code_digest: pin.as_deref().map(digest),
            attempts_left: self.config.tx_code_attempts,
            expires_at: now() + self.config.offer_ttl,
            used: false,
            subject_id,
            deferred: terms.deferred,
        };
        self.store.insert_offer(&record).await?;
        let offer = CredentialOffer {
            credential_issuer: self.config.issuer_id.clone(),
            credential_configuration_ids: vec![config_id.to_owned()],
            grants: Some(Grants {
                authorization_code: None,
                pre_authorized_code: Some(PreAuthorizedCodeGrant {
                    pre_authorized_code: code.clone(),
                    tx_code,
                    authorization_server: None,
                }),
            }),
        };
        Ok(NewOffer {
            offer,
            pre_authorized_code: code,
            pin,
        })
    }

    /// The Token Endpoint (§6): the pre-authorized code and the authorization code grants.
    pub async fn token(&self, request: TokenRequest) -> Result<TokenResponse, IssuerError> {
        match request {
            TokenRequest::PreAuthorizedCode {
                pre_authorized_code,
                tx_code,
                client_id,
            } => {
                self.pre_authorized_token(pre_authorized_code, tx_code, client_id)
                    .await
            }
            TokenRequest::AuthorizationCode {
                code,
                code_verifier,
                redirect_uri,
                client_id,
            } => {
                self.authorization_code_token(code, code_verifier, redirect_uri, client_id)
                    .await
            }
        }
    }

    /// The pre-authorized code grant (§6.1): the `tx_code` is checked before the code is
    /// consumed, and a wrong one uses up an attempt.
    async fn pre_authorized_token(
        &self,
        pre_authorized_code: String,
        tx_code: Option<String>,
        client_id: Option<String>,
    ) -> Result<TokenResponse, IssuerError> {
        let code_digest = digest(&pre_authorized_code);
        let invalid_grant = |why: &str| IssuerError::from(TokenError::InvalidGrant(why.into()));
        let offer = match self.store.find_offer(&code_digest).await? {
            Some(offer) if !offer.used && offer.expires_at > now() => offer,
            _ => {
                return Err(invalid_grant(
                    "unknown, used or expired pre-authorized code",
                ));
            }
        };
        match (&offer.tx_code_digest, tx_code.as_deref()) {
            (Some(_), None) => {
                return Err(TokenError::InvalidRequest("tx_code is required".into()).into());
            }
            (None, Some(_)) => {
                return Err(TokenError::InvalidRequest("tx_code was not expected".into()).into());
            }
            (Some(expected), Some(presented)) if *expected != digest(presented) => {
                self.store.spend_tx_attempt(&code_digest).await?;
                return Err(invalid_grant("wrong tx_code"));
            }
            _ => {}
        }
        if !self.store.consume_offer(&code_digest, now()).await? {
            return Err(invalid_grant("pre-authorized code already used or locked"));
        }
        let access_token = random_token();
        // A deferred session's token must outlive the operator's decision: the wallet collects
        // with it at the Deferred Credential Endpoint.
        let ttl = if offer.deferred {
            self.config.offer_ttl
        } else {
            self.config.token_ttl
        };
        self.store
            .insert_session(&SessionRecord {
                token_digest: digest(&access_token),
                config_id: offer.config_id,
                claims: offer.claims,
                expires_at: now() + ttl,
                subject_id: offer.subject_id,
                client_id,
                deferred: offer.deferred,
            })
            .await?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: u64::try_from(ttl).ok(),
            refresh_token: None,
            authorization_details: None,
        })
    }

    /// The Nonce Endpoint (§7): a fresh single-use `c_nonce`.
    pub async fn nonce(&self) -> Result<String, IssuerError> {
        let nonce = random_token();
        self.store
            .insert_nonce(&digest(&nonce), now() + self.config.token_ttl)
            .await?;
        Ok(nonce)
    }

    /// The Credential Endpoint (§8): one credential per proof, each bound to its proof's key,
    /// with one `notification_id` for the batch; encrypted when the wallet asked (§10).
    ///
    /// Everything that can be refused without spending state (the token, the encryption
    /// parameters, the configuration) is checked before the proofs consume their nonces.
    pub async fn credential(
        &self,
        access_token: &str,
        request: &CredentialRequest,
    ) -> Result<CredentialReply, IssuerError> {
        let token_digest = digest(access_token);
        let session = self
            .store
            .find_session(&token_digest, now())
            .await?
            .ok_or(IssuerError::InvalidToken)?;
        let encryptor = request
            .credential_response_encryption
            .as_ref()
            .map(ResponseEncryptor::new)
            .transpose()?;
        // The Token Response names the session's configuration as its one credential
        // identifier (§6.2), so a wallet may ask for it either way (§8.2).
        let config = match &request.target {
            CredentialTarget::CredentialConfigurationId(id)
            | CredentialTarget::CredentialIdentifier(id)
                if *id == session.config_id =>
            {
                self.find_configuration(id).await?
            }
            _ => None,
        };
        let config = config.ok_or_else(|| match &request.target {
            CredentialTarget::CredentialConfigurationId(id) => {
                CredentialError::UnknownCredentialConfiguration(id.clone())
            }
            CredentialTarget::CredentialIdentifier(id) => {
                CredentialError::UnknownCredentialIdentifier(id.clone())
            }
        })?;
        let config = &config;
        let keys = self
            .holder_keys(
                config,
                request.proofs.as_ref(),
                session.client_id.as_deref(),
            )
            .await?;
        let response = if session.deferred {
            self.defer(&session, &keys).await?
        } else {
            let claims: Map<String, Value> = serde_json::from_str(&session.claims)
                .map_err(|e| IssuerError::Store(StoreFailure(Box::new(e))))?;
            let subject_id = session.subject_id.as_deref();
            let issued = self
                .deliver(config, &claims, subject_id, keys, &token_digest)
                .await?;
            CredentialResponse::Issued(issued)
        };
        CredentialReply::new(response, encryptor.as_ref())
    }

    /// Signs one credential per holder key and opens one notification for the batch.
    pub(crate) async fn deliver(
        &self,
        config: &CredentialConfig,
        claims: &Map<String, Value>,
        subject_id: Option<&str>,
        keys: Vec<Option<PublicKey>>,
        token_digest: &str,
    ) -> Result<Issued, IssuerError> {
        let mut credentials = Vec::with_capacity(keys.len());
        let mut indexes = Vec::with_capacity(keys.len());
        for key in keys {
            let (index, credential) = self
                .issue_one(config, claims, subject_id, key.as_ref())
                .await?;
            indexes.push(index);
            credentials.push(IssuedCredential { credential });
        }
        let notification_id = self.open_notification(token_digest, &indexes).await?;
        Ok(Issued {
            credentials,
            notification_id: Some(notification_id),
        })
    }

    /// Verifies every proof, then consumes their nonces: nothing is consumed when one fails.
    /// Without holder binding, one unbound credential.
    async fn holder_keys(
        &self,
        config: &CredentialConfig,
        proofs: Option<&Proofs>,
        client_id: Option<&str>,
    ) -> Result<Vec<Option<PublicKey>>, IssuerError> {
        let jwts = match proofs {
            None if !config.holder_binding => return Ok(vec![None]),
            None => {
                return Err(CredentialError::InvalidProof("proofs are required".into()).into());
            }
            Some(Proofs::Jwt(jwts)) => jwts,
            Some(_) => {
                return Err(CredentialError::InvalidProof("only jwt proofs".into()).into());
            }
        };
        if jwts.len() > self.config.batch_size.max(1) as usize {
            return Err(CredentialError::InvalidCredentialRequest(format!(
                "at most {} proofs",
                self.config.batch_size.max(1)
            ))
            .into());
        }
        let expect = ProofExpectations {
            issuer: &self.config.issuer_id,
            client_id,
            nonce: None,
            now: now(),
            max_age: PROOF_MAX_AGE,
            max_future_skew: PROOF_FUTURE_SKEW,
            allowed_algorithms: &PROOF_ALGORITHMS,
        };
        // A wallet binding a W3C credential names its key by `did:key` (the binding method the
        // metadata lists for those formats, OpenID4VCI 1.0 App. F.1 `kid`).
        let did_key = |kid: &str| {
            (config.w3c.is_some())
                .then(|| DidKeyResolver.resolve(kid, AUTHENTICATION).ok())
                .flatten()
        };
        let verified = jwts
            .iter()
            .map(|jwt| verify_jwt_proof(jwt, &expect, &did_key))
            .collect::<Result<Vec<VerifiedProof>, _>>()
            .map_err(|e| CredentialError::from(&e))?;
        let mut nonces = BTreeSet::new();
        for proof in &verified {
            let nonce = proof
                .nonce
                .as_deref()
                .ok_or_else(|| CredentialError::InvalidNonce("proof has no nonce".into()))?;
            nonces.insert(digest(nonce));
        }
        let nonces: Vec<String> = nonces.into_iter().collect();
        if !self.store.consume_nonces(&nonces, now()).await? {
            return Err(
                CredentialError::InvalidNonce("unknown, used or expired nonce".into()).into(),
            );
        }
        Ok(verified.into_iter().map(|p| Some(p.public_key)).collect())
    }

    /// Records a status list entry and signs one credential (an SD-JWT VC, or a W3C credential
    /// for a W3C type); its status index and the credential as the response carries it.
    async fn issue_one(
        &self,
        config: &CredentialConfig,
        claims: &Map<String, Value>,
        subject_id: Option<&str>,
        holder: Option<&PublicKey>,
    ) -> Result<(i64, Value), IssuerError> {
        let issued_at = now();
        let expires_at = issued_at + config.validity;
        let holder_jwk = holder.map(PublicKey::to_jwk);
        let holder_thumbprint = holder_jwk
            .as_ref()
            .map(|jwk| jwk.thumbprint())
            .transpose()
            .map_err(|e| CredentialError::InvalidProof(e.to_string()))?;
        let (number, slot) = self
            .allocate_slot(IssuedRecord {
                status_index: 0,
                config_id: config.id.clone(),
                claims: Value::Object(claims.clone()).to_string(),
                holder_thumbprint,
                issued_at,
                expires_at,
                subject_id: subject_id.map(str::to_owned),
                status: STATUS_VALID,
                status_changed_at: None,
            })
            .await?;
        if let Some(definition) = &config.w3c {
            let credential = self
                .sign_w3c(config, definition, claims, holder, slot)
                .await?;
            return Ok((number, credential));
        }
        let reference = StatusReference::new(
            slot.index,
            &self.config.status_list_uri(slot.list),
            ReferenceOptions { allow_http: true },
        )
        .map_err(|e| IssuerError::Signing(e.to_string()))?;
        let mut vc = VcIssuance::new(&config.vct, claims.clone())
            .issuer(&self.config.issuer_id)
            .validity(Some(issued_at), None, Some(expires_at))
            .status(&reference);
        if let Some(kid) = self.config.signer.key_id() {
            vc = vc.key_id(kid);
        }
        if let Some(jwk) = &holder_jwk {
            vc = vc.holder_key(jwk);
        }
        for claim in config.claims.iter().filter(|c| c.selectively_disclosable) {
            if claims.contains_key(&claim.name) {
                vc = vc.disclosable(ClaimPath::new(vec![Segment::Name(claim.name.clone())]));
            }
        }
        let sd_jwt = vc
            .sign(&self.config.signer)
            .await
            .map_err(|e| IssuerError::Signing(e.to_string()))?;
        Ok((number, Value::String(sd_jwt.to_compact())))
    }
}
