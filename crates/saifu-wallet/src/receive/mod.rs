//! Receiving credentials with OpenID4VCI 1.0: read an offer, show what it offers, then run the
//! pre-authorized code flow (with the PIN the issuer sent separately) or the authorization code
//! flow (PAR + PKCE, the issuer's login page), prove fresh holder keys against the issuer's
//! nonce, and keep every copy of a batch.

mod authorization;
mod display;
mod issuance;
mod verify;
mod w3c;

use saifu_oid4vc::vci::metadata::{
    AuthorizationServerMetadata, CredentialIssuerMetadata, authorization_server_metadata_url,
    credential_issuer_metadata_url,
};
use saifu_oid4vc::vci::offer::{CredentialOffer, OfferReference, TxCode};
use saifu_oid4vc::vci::token::TokenResponse;
use serde::Serialize;

pub use authorization::AuthorizationStart;

use crate::model::{PendingIssuance, StoredCredential};
use crate::wallet::Wallet;
use crate::{WalletError, wire};

/// `grant_type` of the pre-authorized code flow.
const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

/// An offer read and checked against the issuer's metadata: what the holder is asked to accept.
#[derive(Debug, Clone)]
pub struct OfferPreview {
    /// The offer.
    pub offer: CredentialOffer,
    /// The issuer's metadata.
    pub metadata: CredentialIssuerMetadata,
    /// The metadata of the authorization server that issues tokens.
    pub authorization_server: AuthorizationServerMetadata,
    /// The issuer's display name, when it gives one.
    pub issuer_name: Option<String>,
    /// What is offered.
    pub credentials: Vec<OfferedCredential>,
    /// The PIN prompt, when the pre-authorized code is protected by one.
    pub pin: Option<TxCode>,
}

/// One credential an offer names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferedCredential {
    /// The configuration id.
    pub configuration_id: String,
    /// Its display name.
    pub name: String,
    /// Its format.
    pub format: String,
}

impl OfferPreview {
    /// Whether the offer carries a pre-authorized code (no login needed).
    pub fn is_pre_authorized(&self) -> bool {
        self.pre_authorized_code().is_some()
    }

    fn pre_authorized_code(&self) -> Option<&str> {
        let grants = self.offer.grants.as_ref()?;
        let grant = grants.pre_authorized_code.as_ref()?;
        Some(&grant.pre_authorized_code)
    }
}

/// What an accepted offer produced.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// Credentials now in the wallet.
    pub credentials: Vec<StoredCredential>,
    /// Issuances the issuer deferred; collect them with [`Wallet::collect_deferred`].
    pub pending: Vec<PendingIssuance>,
}

impl Wallet {
    /// Reads an offer link (`openid-credential-offer://…`, by value or by reference) and the
    /// issuer's metadata; nothing is stored.
    pub async fn preview_offer(&self, link: &str) -> Result<OfferPreview, WalletError> {
        let offer = match OfferReference::parse_link(link.trim())? {
            OfferReference::ByValue(offer) => offer,
            OfferReference::ByReference(uri) => {
                let value = wire::get_json(&self.http, uri.as_str()).await?;
                CredentialOffer::from_value(value)?
            }
        };
        let issuer = &offer.credential_issuer;
        let url = credential_issuer_metadata_url(issuer)
            .map_err(|e| WalletError::Metadata(e.to_string()))?;
        let value = wire::get_json(&self.http, url.as_str()).await?;
        let metadata = CredentialIssuerMetadata::parse(&value.to_string(), issuer)
            .map_err(|e| WalletError::Metadata(e.to_string()))?;
        let authorization_server = self.authorization_server(&offer, &metadata).await?;
        let mut credentials = Vec::new();
        for id in &offer.credential_configuration_ids {
            let configuration = metadata
                .credential_configurations_supported
                .get(id)
                .ok_or_else(|| {
                    WalletError::Metadata(format!(
                        "the offer names `{id}`, which the issuer does not describe"
                    ))
                })?;
            credentials.push(OfferedCredential {
                configuration_id: id.clone(),
                name: display::configuration_name(configuration, id),
                format: configuration.format.clone(),
            });
        }
        let pin = offer
            .grants
            .as_ref()
            .and_then(|g| g.pre_authorized_code.as_ref())
            .and_then(|g| g.tx_code.clone());
        Ok(OfferPreview {
            issuer_name: display::issuer_name(&metadata),
            offer,
            metadata,
            authorization_server,
            credentials,
            pin,
        })
    }

    /// Accepts a pre-authorized offer: redeems the code (with `pin` when the offer asks for
    /// one) and receives every offered credential.
    pub async fn accept_offer(
        &self,
        preview: &OfferPreview,
        pin: Option<&str>,
    ) -> Result<Received, WalletError> {
        let code = preview.pre_authorized_code().ok_or_else(|| {
            WalletError::Unsupported(
                "this offer has no pre-authorized code: use the authorization code flow".into(),
            )
        })?;
        if let Some(tx_code) = &preview.pin
            && pin.is_none()
        {
            return Err(WalletError::PinRequired(
                tx_code
                    .description
                    .clone()
                    .unwrap_or_else(|| "enter the transaction code".into()),
            ));
        }
        let mut fields = vec![
            ("grant_type", PRE_AUTHORIZED_GRANT),
            ("pre-authorized_code", code),
        ];
        if let (Some(pin), Some(_)) = (pin, &preview.pin) {
            fields.push(("tx_code", pin));
        }
        let endpoint = token_endpoint(&preview.authorization_server)?;
        let answer = wire::post_form(&self.http, &endpoint, &fields)
            .await
            .map_err(|e| match e {
                WalletError::Protocol {
                    error, description, ..
                } if error == "invalid_grant" && preview.pin.is_some() => {
                    WalletError::WrongPin(description)
                }
                other => other,
            })?;
        let token = TokenResponse::parse(&answer.to_string())
            .map_err(|e| WalletError::Malformed(format!("token response: {e}")))?;
        self.receive_with_token(preview, &token, None).await
    }

    async fn authorization_server(
        &self,
        offer: &CredentialOffer,
        metadata: &CredentialIssuerMetadata,
    ) -> Result<AuthorizationServerMetadata, WalletError> {
        let named = offer.grants.as_ref().and_then(|grants| {
            grants
                .pre_authorized_code
                .as_ref()
                .and_then(|g| g.authorization_server.clone())
                .or_else(|| {
                    grants
                        .authorization_code
                        .as_ref()
                        .and_then(|g| g.authorization_server.clone())
                })
        });
        let issuer = named
            .or_else(|| {
                metadata
                    .authorization_servers
                    .as_ref()
                    .and_then(|servers| servers.first().cloned())
            })
            .unwrap_or_else(|| metadata.credential_issuer.clone());
        let url = authorization_server_metadata_url(&issuer)
            .map_err(|e| WalletError::Metadata(e.to_string()))?;
        let value = wire::get_json(&self.http, url.as_str()).await?;
        AuthorizationServerMetadata::parse(&value.to_string(), &issuer)
            .map_err(|e| WalletError::Metadata(format!("authorization server: {e}")))
    }
}

fn token_endpoint(server: &AuthorizationServerMetadata) -> Result<String, WalletError> {
    server.token_endpoint.clone().ok_or_else(|| {
        WalletError::Metadata("the authorization server has no token_endpoint".into())
    })
}
