//! Pushed Authorization Requests (RFC 9126): the form the client pushes and the `201` answer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::form::{self, Form, FormError};
use super::pkce::{self, PkceError};

/// HTTP status of a successful PAR response (RFC 9126 §2.2).
pub const CREATED: u16 = 201;

/// Why a pushed authorization request was refused; all map to `invalid_request`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParError {
    /// Repeated or missing parameter.
    #[error(transparent)]
    Form(#[from] FormError),
    /// `request_uri` inside a pushed request (RFC 9126 §2.1).
    #[error("a pushed authorization request must not contain `request_uri`")]
    RequestUriInside,
    /// PKCE is required with `S256`.
    #[error(transparent)]
    Pkce(#[from] PkceError),
    /// A `redirect_uri` the code must not be sent to (RFC 6749 §3.1.2, RFC 8252 §7).
    #[error("redirect_uri {0}")]
    RedirectUri(&'static str),
}

/// The authorization request parameters pushed to the PAR endpoint (RFC 9126 §2.1), with PKCE
/// mandatory. Client authentication travels separately (headers or assertion parameters, kept in
/// [`extra`](Self::extra)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedAuthorizationRequest {
    /// `client_id`.
    pub client_id: String,
    /// `response_type`, `code` in OpenID4VCI.
    pub response_type: String,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `code_challenge` (S256).
    pub code_challenge: String,
    /// `authorization_details` as its JSON text (RFC 9396).
    pub authorization_details: Option<String>,
    /// `issuer_state` from a Credential Offer (OpenID4VCI 1.0 §5.1.3).
    pub issuer_state: Option<String>,
    /// Every other parameter (e.g. `resource`, `client_assertion`).
    pub extra: BTreeMap<String, String>,
}

impl PushedAuthorizationRequest {
    /// Parses a form body received at the PAR endpoint.
    pub fn from_form(body: &str) -> Result<Self, ParError> {
        let mut form = Form::parse(body)?;
        if form.contains("request_uri") {
            return Err(ParError::RequestUriInside);
        }
        pkce::check_method(&form.require("code_challenge_method")?)?;
        let code_challenge = form.require("code_challenge")?;
        pkce::check_challenge(&code_challenge)?;
        let redirect_uri = form.take("redirect_uri");
        if let Some(uri) = &redirect_uri {
            check_redirect_uri(uri)?;
        }
        Ok(PushedAuthorizationRequest {
            client_id: form.require("client_id")?,
            response_type: form.require("response_type")?,
            redirect_uri,
            scope: form.take("scope"),
            state: form.take("state"),
            code_challenge,
            authorization_details: form.take("authorization_details"),
            issuer_state: form.take("issuer_state"),
            extra: form.into_rest(),
        })
    }

    /// Serializes as the form body to push.
    pub fn to_form(&self) -> String {
        let fixed = [
            ("client_id", Some(self.client_id.as_str())),
            ("response_type", Some(self.response_type.as_str())),
            ("redirect_uri", self.redirect_uri.as_deref()),
            ("scope", self.scope.as_deref()),
            ("state", self.state.as_deref()),
            ("code_challenge", Some(self.code_challenge.as_str())),
            ("code_challenge_method", Some(pkce::S256)),
            (
                "authorization_details",
                self.authorization_details.as_deref(),
            ),
            ("issuer_state", self.issuer_state.as_deref()),
        ];
        let extra = self
            .extra
            .iter()
            .map(|(k, v)| (k.as_str(), Some(v.as_str())));
        form::encode(fixed.into_iter().chain(extra))
    }
}

/// Schemes a browser must never be sent to with a code: they run or read content locally.
const FORBIDDEN_SCHEMES: [&str; 4] = ["javascript", "data", "file", "vbscript"];

/// Checks a `redirect_uri` an authorization server will send the browser (and the code) to:
/// an absolute URI without fragment (RFC 6749 §3.1.2); `https`, a wallet's private-use scheme
/// (RFC 8252 §7.1), or `http` only on a loopback address (RFC 8252 §7.3).
pub fn check_redirect_uri(uri: &str) -> Result<(), ParError> {
    let parsed =
        url::Url::parse(uri).map_err(|_| ParError::RedirectUri("is not an absolute URI"))?;
    if parsed.fragment().is_some() {
        return Err(ParError::RedirectUri("must not have a fragment"));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => match parsed.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Domain("localhost")) => Ok(()),
            _ => Err(ParError::RedirectUri(
                "may use http only on a loopback address",
            )),
        },
        scheme if FORBIDDEN_SCHEMES.contains(&scheme) => Err(ParError::RedirectUri(
            "uses a scheme that runs or reads local content",
        )),
        _ => Ok(()),
    }
}

/// The PAR endpoint's `201 Created` body (RFC 9126 §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushedAuthorizationResponse {
    /// Single-use reference to the pushed request, passed to the authorization endpoint.
    pub request_uri: String,
    /// Lifetime of `request_uri` in seconds.
    pub expires_in: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_a_code_may_be_sent_to() {
        for good in [
            "https://wallet.example/cb?x=1",
            "http://127.0.0.1:4000/cb",
            "http://[::1]/cb",
            "http://localhost/cb",
            "eu.wallet.example:/cb",
        ] {
            assert_eq!(check_redirect_uri(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("/relative", "is not an absolute URI"),
            ("https://wallet.example/cb#frag", "must not have a fragment"),
            (
                "http://wallet.example/cb",
                "may use http only on a loopback address",
            ),
            (
                "javascript:alert(1)",
                "uses a scheme that runs or reads local content",
            ),
            (
                "data:text/html,x",
                "uses a scheme that runs or reads local content",
            ),
        ] {
            assert_eq!(
                check_redirect_uri(bad),
                Err(ParError::RedirectUri(why)),
                "{bad}"
            );
        }
    }
}
