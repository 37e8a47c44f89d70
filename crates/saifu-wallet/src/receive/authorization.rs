//! The authorization code flow (OpenID4VCI 1.0 §5, RFC 9126 PAR, RFC 7636 PKCE S256, RFC 8252
//! for native apps): the wallet pushes its request, the holder logs in at the issuer in a
//! browser, and the redirect brings back a code that only this wallet's PKCE verifier redeems.

use saifu_oid4vc::oauth::pkce;
use saifu_oid4vc::vci::token::TokenResponse;
use serde_json::json;
use url::Url;

use super::{OfferPreview, Received, token_endpoint};
use crate::wallet::{Wallet, random_id};
use crate::{WalletError, wire};

/// A started authorization: open [`AuthorizationStart::authorization_url`] in a browser, then
/// give the redirect it ends on to [`Wallet::complete_authorization`].
#[derive(Debug, Clone)]
pub struct AuthorizationStart {
    /// Where the holder logs in.
    pub authorization_url: String,
    /// Where the issuer sends the browser back.
    pub redirect_uri: String,
    state: String,
    verifier: String,
    preview: OfferPreview,
}

impl Wallet {
    /// Pushes an authorization request for every credential of `preview` and returns the
    /// login URL; the issuer will redirect to `redirect_uri` (a loopback URL for the CLI).
    pub async fn begin_authorization(
        &self,
        preview: &OfferPreview,
        redirect_uri: &str,
    ) -> Result<AuthorizationStart, WalletError> {
        let server = &preview.authorization_server;
        if !server
            .code_challenge_methods_supported
            .as_ref()
            .is_some_and(|methods| methods.iter().any(|m| m == "S256"))
        {
            return Err(WalletError::Unsupported(
                "the authorization server does not offer PKCE S256".into(),
            ));
        }
        let authorization_endpoint = server.authorization_endpoint.clone().ok_or_else(|| {
            WalletError::Metadata("the authorization server has no authorization_endpoint".into())
        })?;
        let verifier = pkce::generate_verifier();
        let challenge =
            pkce::challenge(&verifier).map_err(|e| WalletError::Malformed(format!("PKCE: {e}")))?;
        let state = random_id();
        let details: Vec<_> = preview
            .credentials
            .iter()
            .map(|c| json!({"type": "openid_credential", "credential_configuration_id": c.configuration_id}))
            .collect();
        let details = serde_json::Value::from(details).to_string();
        let client_id = self.config.client_id.as_str();
        let mut fields = vec![
            ("client_id", client_id),
            ("response_type", "code"),
            ("redirect_uri", redirect_uri),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", state.as_str()),
            ("authorization_details", details.as_str()),
        ];
        let issuer_state = preview
            .offer
            .grants
            .as_ref()
            .and_then(|g| g.authorization_code.as_ref())
            .and_then(|g| g.issuer_state.clone());
        if let Some(issuer_state) = &issuer_state {
            fields.push(("issuer_state", issuer_state));
        }
        let mut authorization_url = wire::url(&authorization_endpoint)?;
        match &server.pushed_authorization_request_endpoint {
            Some(par) => {
                let pushed = wire::post_form(&self.http, par, &fields).await?;
                let request_uri = pushed["request_uri"].as_str().ok_or_else(|| {
                    WalletError::Malformed("the PAR endpoint sent no request_uri".into())
                })?;
                authorization_url
                    .query_pairs_mut()
                    .append_pair("client_id", client_id)
                    .append_pair("request_uri", request_uri);
            }
            None if server.require_pushed_authorization_requests == Some(true) => {
                return Err(WalletError::Metadata(
                    "PAR is required but no pushed_authorization_request_endpoint is given".into(),
                ));
            }
            None => {
                authorization_url.query_pairs_mut().extend_pairs(&fields);
            }
        }
        Ok(AuthorizationStart {
            authorization_url: authorization_url.into(),
            redirect_uri: redirect_uri.to_owned(),
            state,
            verifier,
            preview: preview.clone(),
        })
    }

    /// Finishes `start` with the URL the browser was redirected to: checks `state` (and `iss`,
    /// RFC 9207), redeems the code with the PKCE verifier and receives the credentials.
    pub async fn complete_authorization(
        &self,
        start: &AuthorizationStart,
        redirected_to: &str,
    ) -> Result<Received, WalletError> {
        let url = Url::parse(redirected_to)
            .map_err(|e| WalletError::Malformed(format!("redirect: {e}")))?;
        let param = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        if let Some(error) = param("error") {
            return Err(WalletError::Protocol {
                endpoint: start.redirect_uri.clone(),
                status: 302,
                error,
                description: param("error_description"),
            });
        }
        if param("state").as_deref() != Some(start.state.as_str()) {
            return Err(WalletError::Malformed(
                "the redirect's state is not the one this wallet sent".into(),
            ));
        }
        let server = &start.preview.authorization_server;
        if let Some(iss) = param("iss")
            && iss != server.issuer
        {
            return Err(WalletError::Malformed(format!(
                "the redirect comes from {iss}, not {}",
                server.issuer
            )));
        }
        let code = param("code")
            .ok_or_else(|| WalletError::Malformed("the redirect carries no code".into()))?;
        let client_id = self.config.client_id.as_str();
        let fields = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("code_verifier", start.verifier.as_str()),
            ("redirect_uri", start.redirect_uri.as_str()),
            ("client_id", client_id),
        ];
        let answer = wire::post_form(&self.http, &token_endpoint(server)?, &fields).await?;
        let token = TokenResponse::parse(&answer.to_string())
            .map_err(|e| WalletError::Malformed(format!("token response: {e}")))?;
        self.receive_with_token(&start.preview, &token, Some(client_id))
            .await
    }
}
