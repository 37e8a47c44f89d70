//! The Token Endpoint for the `authorization_code` grant (§6, RFC 6749 §4.1.3, RFC 7636 §4.6):
//! every check first, then the code is consumed once in the database and a session opened.

use saifu_oid4vc::oauth::pkce;
use saifu_oid4vc::vci::token::{AuthorizationDetail, OPENID_CREDENTIAL, TokenError, TokenResponse};

use super::record::{Code, Kind};
use crate::clock::now;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::secret::{digest, random_token};
use crate::store::{IssuerStore, SessionRecord};

fn required(value: Option<String>, name: &str) -> Result<String, TokenError> {
    value.ok_or_else(|| TokenError::InvalidRequest(format!("{name} is required")))
}

impl<S: IssuerStore> Issuer<S> {
    /// Exchanges an authorization code: it must be live, issued to `client_id` for
    /// `redirect_uri`, and `code_verifier` must hash to its PKCE challenge. A refused exchange
    /// leaves the code as it was; a redeemed code never works again.
    pub(crate) async fn authorization_code_token(
        &self,
        code: String,
        code_verifier: Option<String>,
        redirect_uri: Option<String>,
        client_id: Option<String>,
    ) -> Result<TokenResponse, IssuerError> {
        let client_id = required(client_id, "client_id")?;
        let redirect_uri = required(redirect_uri, "redirect_uri")?;
        let code_verifier = required(code_verifier, "code_verifier")?;
        let invalid_grant = |why: &str| IssuerError::from(TokenError::InvalidGrant(why.into()));
        let (issued, _) = self
            .live_value::<Code>(Kind::Code, &code)
            .await?
            .ok_or_else(|| invalid_grant("unknown, used or expired authorization code"))?;
        let grant = &issued.grant;
        if grant.client_id != client_id {
            return Err(invalid_grant("the code was issued to another client"));
        }
        if grant.redirect_uri != redirect_uri {
            return Err(invalid_grant(
                "redirect_uri differs from the authorization request's",
            ));
        }
        pkce::verify(&code_verifier, &grant.code_challenge, pkce::S256)
            .map_err(TokenError::from)?;
        let subject = self
            .store()
            .find_subject(&issued.subject_id)
            .await?
            .ok_or_else(|| invalid_grant("the subject no longer exists"))?;
        if !self.consume_value(Kind::Code, &code).await? {
            return Err(invalid_grant("unknown, used or expired authorization code"));
        }
        let access_token = random_token();
        let ttl = self.config().token_ttl;
        self.store()
            .insert_session(&SessionRecord {
                token_digest: digest(&access_token),
                config_id: grant.config_id.clone(),
                claims: subject.claims,
                expires_at: now() + ttl,
                subject_id: Some(subject.id),
                client_id: Some(client_id.clone()),
                deferred: false,
            })
            .await?;
        let authorization_details = grant.by_details.then(|| {
            vec![AuthorizationDetail {
                type_: OPENID_CREDENTIAL.into(),
                credential_configuration_id: grant.config_id.clone(),
                credential_identifiers: vec![grant.config_id.clone()],
            }]
        });
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: u64::try_from(ttl).ok(),
            refresh_token: None,
            authorization_details,
        })
    }
}
