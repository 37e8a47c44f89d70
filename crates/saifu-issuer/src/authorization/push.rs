//! The Pushed Authorization Request endpoint (RFC 9126) and the `issuer_state` values offers
//! carry (§4.1.1, §5.1.3).

use saifu_oid4vc::oauth::par::{PushedAuthorizationRequest, PushedAuthorizationResponse};

use super::error::AuthorizationError;
use super::record::{Grant, IssuerState, Kind, PushedRequest};
use super::requested::requested;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::store::IssuerStore;

/// Lifetime of a `request_uri`: long enough to log in, short enough to be useless when leaked.
pub(super) const REQUEST_TTL: i64 = 600;
/// Wrong logins allowed per pushed request before it is dead.
pub(super) const LOGIN_ATTEMPTS: i64 = 5;
/// The `request_uri` prefix RFC 9126 §2.2 registers.
pub(super) const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// Longest `client_id` and `state` kept: they are stored and echoed, not interpreted.
const MAX_PARAMETER_LEN: usize = 512;

fn check_length(name: &str, value: Option<&str>) -> Result<(), AuthorizationError> {
    match value {
        Some(v) if v.len() > MAX_PARAMETER_LEN => Err(AuthorizationError::InvalidRequest(format!(
            "{name} is longer than {MAX_PARAMETER_LEN} bytes"
        ))),
        _ => Ok(()),
    }
}

impl<S: IssuerStore> Issuer<S> {
    /// A fresh `issuer_state` for an authorization code offer of `config_id`, valid for the
    /// offer lifetime and usable by one authorization request; with `subject_id`, only that
    /// subject may log in to redeem it.
    pub(crate) async fn issuer_state_for(
        &self,
        config_id: &str,
        subject_id: Option<&str>,
    ) -> Result<String, IssuerError> {
        if self.find_configuration(config_id).await?.is_none() {
            return Err(IssuerError::UnknownConfiguration(config_id.to_owned()));
        }
        let state = IssuerState {
            config_id: config_id.to_owned(),
            subject_id: subject_id.map(str::to_owned),
        };
        self.put_value(Kind::IssuerState, &state, 1, self.config().offer_ttl)
            .await
    }

    /// The PAR endpoint: checks a pushed authorization request (form body) completely, then
    /// spends its `issuer_state` and stores it; the answer's `request_uri` opens the login page
    /// once. A refused request changes nothing.
    pub async fn push_authorization_request(
        &self,
        body: &str,
    ) -> Result<PushedAuthorizationResponse, IssuerError> {
        let pushed =
            PushedAuthorizationRequest::from_form(body).map_err(AuthorizationError::from)?;
        if pushed.response_type != "code" {
            return Err(AuthorizationError::UnsupportedResponseType(format!(
                "response_type `{}`; only `code` is supported",
                pushed.response_type
            ))
            .into());
        }
        check_length("client_id", Some(&pushed.client_id))?;
        check_length("state", pushed.state.as_deref())?;
        let redirect_uri = pushed
            .redirect_uri
            .ok_or_else(|| AuthorizationError::InvalidRequest("redirect_uri is required".into()))?;
        // Another node may have added the type asked for.
        self.reload_configurations().await?;
        let wanted = requested(
            &self.config().issuer_id,
            &self.configurations(),
            pushed.scope.as_deref(),
            pushed.authorization_details.as_deref(),
        )?;
        let subject_id = match pushed.issuer_state.as_deref() {
            Some(issuer_state) => {
                self.spend_issuer_state(issuer_state, &wanted.config_id)
                    .await?
            }
            None => None,
        };
        let request = PushedRequest {
            grant: Grant {
                client_id: pushed.client_id,
                redirect_uri,
                code_challenge: pushed.code_challenge,
                config_id: wanted.config_id,
                by_details: wanted.by_details,
            },
            state: pushed.state,
            subject_id,
        };
        let secret = self
            .put_value(Kind::Request, &request, LOGIN_ATTEMPTS, REQUEST_TTL)
            .await?;
        Ok(PushedAuthorizationResponse {
            request_uri: format!("{REQUEST_URI_PREFIX}{secret}"),
            expires_in: REQUEST_TTL.unsigned_abs(),
        })
    }

    /// Uses up a live `issuer_state` offered for `config_id`; the subject it names, if any.
    async fn spend_issuer_state(
        &self,
        issuer_state: &str,
        config_id: &str,
    ) -> Result<Option<String>, IssuerError> {
        let unknown = || {
            IssuerError::from(AuthorizationError::InvalidRequest(
                "issuer_state is unknown, expired or used".into(),
            ))
        };
        let (state, _) = self
            .live_value::<IssuerState>(Kind::IssuerState, issuer_state)
            .await?
            .ok_or_else(unknown)?;
        if state.config_id != config_id {
            return Err(AuthorizationError::InvalidRequest(format!(
                "issuer_state was offered for `{}`, not `{config_id}`",
                state.config_id
            ))
            .into());
        }
        if !self.consume_value(Kind::IssuerState, issuer_state).await? {
            return Err(unknown());
        }
        Ok(state.subject_id)
    }
}
