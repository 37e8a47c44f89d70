//! The authorization endpoint's side of the flow: the pushed request behind a `request_uri`,
//! and the login that turns it into an authorization code (or an `access_denied`) sent back to
//! the client's `redirect_uri` with `iss` (RFC 9207).

use super::error::AuthorizationError;
use super::push::REQUEST_URI_PREFIX;
use super::record::{Code, Kind, PushedRequest};
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::store::IssuerStore;

/// Lifetime of an authorization code (RFC 6749 §4.1.2 recommends at most ten minutes; the
/// wallet redeems it at once).
pub(super) const CODE_TTL: i64 = 60;

/// A pushed request waiting for its login, as the login page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAuthorization {
    /// The credential configuration asked for.
    pub config_id: String,
    /// Its display name, for the person logging in.
    pub credential_name: String,
    /// The client that pushed the request.
    pub client_id: String,
    /// Logins left before the request is dead.
    pub attempts_left: i64,
}

/// The authorization response: the browser goes to `redirect_uri` with `params` added to its
/// query (RFC 6749 §4.1.2). The `redirect_uri` is the one checked when it was pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationResponse {
    /// The client's redirection endpoint.
    pub redirect_uri: String,
    /// `code` (or `error`), `state` when the client sent one, and `iss`.
    pub params: Vec<(&'static str, String)>,
}

fn invalid_request_uri() -> IssuerError {
    AuthorizationError::InvalidRequestUri(
        "the request_uri is unknown, expired, used, or locked after failed logins".into(),
    )
    .into()
}

/// The secret part of a `request_uri`.
fn request_secret(request_uri: &str) -> Result<&str, IssuerError> {
    request_uri
        .strip_prefix(REQUEST_URI_PREFIX)
        .ok_or_else(invalid_request_uri)
}

impl<S: IssuerStore> Issuer<S> {
    /// The live pushed request `request_uri` names, which `client_id` must have pushed
    /// (RFC 9126 §4); any mismatch is `invalid_request_uri`, never a redirect.
    pub async fn pending_authorization(
        &self,
        client_id: &str,
        request_uri: &str,
    ) -> Result<PendingAuthorization, IssuerError> {
        let (request, attempts_left) = self.live_request(request_uri).await?;
        if request.grant.client_id != client_id {
            return Err(AuthorizationError::InvalidRequestUri(
                "the request_uri was pushed by another client".into(),
            )
            .into());
        }
        Ok(self.pending(&request, attempts_left))
    }

    /// A login on the page of `request_uri`. A wrong login spends one attempt
    /// ([`AuthorizationError::LoginFailed`]); a right one consumes the request (once, in the
    /// database) and answers a single-use code for the subject — or `access_denied` when the
    /// offer's `issuer_state` was made for another subject, which also ends the request.
    pub async fn login(
        &self,
        request_uri: &str,
        subject_id: &str,
        password: &str,
    ) -> Result<AuthorizationResponse, IssuerError> {
        let (request, attempts_left) = self.live_request(request_uri).await?;
        let secret = request_secret(request_uri)?;
        let Some(subject) = self.authenticate_subject(subject_id, password).await? else {
            if !self.spend_attempt(Kind::Request, secret).await? {
                return Err(invalid_request_uri());
            }
            let pending = self.pending(&request, attempts_left - 1);
            return Err(AuthorizationError::LoginFailed(pending).into());
        };
        if !self.consume_value(Kind::Request, secret).await? {
            return Err(invalid_request_uri());
        }
        let allowed = request
            .subject_id
            .as_deref()
            .is_none_or(|offered_to| offered_to == subject.id);
        let first = if allowed {
            let code = Code {
                grant: request.grant.clone(),
                subject_id: subject.id,
            };
            (
                "code",
                self.put_value(Kind::Code, &code, 1, CODE_TTL).await?,
            )
        } else {
            ("error", "access_denied".to_owned())
        };
        let params = [Some(first), request.state.map(|s| ("state", s))]
            .into_iter()
            .flatten()
            .chain([("iss", self.config().issuer_id.clone())])
            .collect();
        Ok(AuthorizationResponse {
            redirect_uri: request.grant.redirect_uri,
            params,
        })
    }

    async fn live_request(&self, request_uri: &str) -> Result<(PushedRequest, i64), IssuerError> {
        self.live_value(Kind::Request, request_secret(request_uri)?)
            .await?
            .ok_or_else(invalid_request_uri)
    }

    fn pending(&self, request: &PushedRequest, attempts_left: i64) -> PendingAuthorization {
        let config_id = request.grant.config_id.clone();
        let credential_name = self
            .credential_config(&config_id)
            .map_or_else(|| config_id.clone(), |c| c.display_name.clone());
        PendingAuthorization {
            config_id,
            credential_name,
            client_id: request.grant.client_id.clone(),
            attempts_left,
        }
    }
}
