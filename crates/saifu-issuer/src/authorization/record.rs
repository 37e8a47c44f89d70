//! The three kinds of single-use value the flow keeps, their stored bodies, and storing and
//! spending them under the digest of a fresh random secret.

use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::clock::now;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::secret::{digest, random_token};
use crate::store::{IssuerStore, StoreFailure};

/// Which kind of value a secret names; a secret of one kind never opens another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// The `issuer_state` of an authorization code offer (§4.1.1).
    IssuerState,
    /// The `request_uri` of a pushed authorization request (RFC 9126).
    Request,
    /// An authorization code (RFC 6749 §4.1.2).
    Code,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::IssuerState => "issuer_state",
            Kind::Request => "request",
            Kind::Code => "code",
        }
    }
}

/// What an `issuer_state` stands for: the offered configuration and, when the offer was made
/// for a registered subject, that subject (who alone may then log in).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct IssuerState {
    pub config_id: String,
    pub subject_id: Option<String>,
}

/// What a client was (or is being) authorized for, carried from the pushed request to the code
/// and checked again at the Token Endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Grant {
    pub client_id: String,
    pub redirect_uri: String,
    /// The PKCE `S256` challenge.
    pub code_challenge: String,
    pub config_id: String,
    /// Whether the configuration was asked for with `authorization_details` (so the token
    /// response must answer with `authorization_details`, §6.2) rather than `scope`.
    pub by_details: bool,
}

/// A pushed authorization request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct PushedRequest {
    pub grant: Grant,
    /// The client's `state`, returned with the code.
    pub state: Option<String>,
    /// The subject the `issuer_state` named, when it named one.
    pub subject_id: Option<String>,
}

/// An authorization code: the grant and the subject who logged in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Code {
    pub grant: Grant,
    pub subject_id: String,
}

fn corrupt(e: serde_json::Error) -> IssuerError {
    IssuerError::Store(StoreFailure(Box::new(e)))
}

impl<S: IssuerStore> Issuer<S> {
    /// Stores `body` under a fresh secret, which is returned (only its digest is kept).
    pub(super) async fn put_value<T: Serialize>(
        &self,
        kind: Kind,
        body: &T,
        attempts: i64,
        ttl: i64,
    ) -> Result<String, IssuerError> {
        let secret = random_token();
        let body = serde_json::to_string(body).map_err(corrupt)?;
        self.store()
            .insert_authorization(
                kind.as_str(),
                &digest(&secret),
                &body,
                attempts,
                now() + ttl,
            )
            .await?;
        Ok(secret)
    }

    /// The body and attempts left of the live value `secret` names, if any.
    pub(super) async fn live_value<T: DeserializeOwned>(
        &self,
        kind: Kind,
        secret: &str,
    ) -> Result<Option<(T, i64)>, IssuerError> {
        let found = self
            .store()
            .find_authorization(kind.as_str(), &digest(secret), now())
            .await?;
        found
            .map(|(body, attempts)| Ok((serde_json::from_str(&body).map_err(corrupt)?, attempts)))
            .transpose()
    }

    /// Uses up one attempt of the live value `secret` names; `false` when it was not live.
    pub(super) async fn spend_attempt(
        &self,
        kind: Kind,
        secret: &str,
    ) -> Result<bool, IssuerError> {
        Ok(self
            .store()
            .spend_authorization_attempt(kind.as_str(), &digest(secret), now())
            .await?)
    }

    /// Marks the live value `secret` names as used; `false` when it was not live.
    pub(super) async fn consume_value(
        &self,
        kind: Kind,
        secret: &str,
    ) -> Result<bool, IssuerError> {
        Ok(self
            .store()
            .consume_authorization(kind.as_str(), &digest(secret), now())
            .await?)
    }
}
