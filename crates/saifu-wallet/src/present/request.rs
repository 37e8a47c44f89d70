//! Reading a presentation request (OpenID4VP 1.0 §5) and establishing who sends it.
//!
//! The request arrives as a link: by value (query parameters), or by reference (`request_uri`,
//! fetched through the SSRF-safe client, which refuses private addresses). Who is asking is
//! decided by the Client Identifier Prefix (§5.9.3): `redirect_uri:` requests are never signed
//! and may only send the answer to that very URI; `decentralized_identifier:` requests must be
//! signed by a key of that DID; `x509_san_dns:` requests must be signed by a certificate for that
//! name from a CA the wallet trusts. Anything else is refused rather than guessed.

use saifu_crypto::jws::{self, VerifyPolicy};
use saifu_crypto::{Algorithm, PublicKey};
use saifu_did::DidUrl;
use saifu_oid4vc::dcql::{DcqlError, DcqlQuery, Limits};
use saifu_oid4vc::vp::fetch::{RequestUriError, fetch_request_object};
use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use crate::WalletError;
use crate::wallet::{Wallet, now};

/// `typ` of a signed request object (RFC 9101 §10.8, required by OpenID4VP 1.0 §5.10).
const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";
/// Longest request object accepted, bytes.
const MAX_REQUEST_OBJECT: usize = 64 * 1024;

/// Why a presentation request was refused. Nothing is disclosed after any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The link carries no request.
    #[error("not a presentation request: {0}")]
    NotARequest(String),
    /// A required parameter is missing or malformed.
    #[error("the request's `{0}` is missing or malformed")]
    Parameter(&'static str),
    /// The Client Identifier Prefix is unknown or not supported by this wallet.
    #[error(
        "client_id prefix of `{0}` is not supported (redirect_uri: and decentralized_identifier: are)"
    )]
    UnsupportedClientIdPrefix(String),
    /// The prefix requires a signed request object and the request is not signed.
    #[error("a `{0}:` request must be a signed request object; this one is unsigned")]
    SignatureRequired(String),
    /// A `redirect_uri:` request was signed (§5.9.3 forbids it).
    #[error("a redirect_uri: request must not be signed")]
    MustNotBeSigned,
    /// The request object names another client than the link.
    #[error("the request object's client_id {inner:?} differs from the link's {outer:?}")]
    ClientIdMismatch {
        /// The link's client_id.
        outer: String,
        /// The request object's client_id.
        inner: String,
    },
    /// A `redirect_uri:` client asks for the answer somewhere else.
    #[error("client_id {client_id} may only receive answers at its own URI, not {response_uri}")]
    ResponseUriMismatch {
        /// The client_id.
        client_id: String,
        /// The response_uri asked for.
        response_uri: String,
    },
    /// The request object's signature or signing key is not acceptable.
    #[error("the request object's signature does not verify: {0}")]
    BadSignature(String),
    /// The request object's `typ` is wrong.
    #[error("the request object's typ is {0:?}, not oauth-authz-req+jwt")]
    WrongType(Option<String>),
    /// The request object is expired.
    #[error("the request expired")]
    Expired,
    /// The `request_uri` could not be fetched (including a private or loopback address).
    #[error(transparent)]
    RequestUri(#[from] RequestUriError),
    /// `response_type` is not `vp_token`.
    #[error("response_type `{0}` is not supported (vp_token is)")]
    UnsupportedResponseType(String),
    /// `response_mode` is not `direct_post` or `direct_post.jwt`.
    #[error("response_mode `{0}` is not supported (direct_post and direct_post.jwt are)")]
    UnsupportedResponseMode(String),
    /// The `x509_san_dns:` certificate chain is missing, not for the name, or not from a CA
    /// the wallet trusts.
    #[error("the verifier's certificate is not trusted: {0}")]
    UntrustedCertificate(String),
    /// The DCQL query is invalid.
    #[error("invalid DCQL query: {0}")]
    Dcql(#[from] DcqlError),
}

/// How the verifier identified itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientIdPrefix {
    /// `redirect_uri:` — not authenticated; only the answer's address is known.
    RedirectUri,
    /// `decentralized_identifier:` — the request is signed by a key of the DID.
    DecentralizedIdentifier,
    /// `x509_san_dns:` — the request is signed by a certificate for the name, from a trusted CA.
    X509SanDns,
}

/// `direct_post` or `direct_post.jwt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ResponseMode {
    /// Form post of `vp_token` and `state`.
    #[serde(rename = "direct_post")]
    DirectPost,
    /// Form post of one JWE encrypted to the verifier.
    #[serde(rename = "direct_post.jwt")]
    DirectPostJwt,
}

/// A request that passed every check, ready for the consent screen.
#[derive(Debug, Clone)]
pub struct PresentationRequest {
    /// The full client identifier (every KB-JWT `aud`).
    pub client_id: String,
    /// The prefix and thereby how far the verifier is authenticated.
    pub prefix: ClientIdPrefix,
    /// The verifier's `client_name` from `client_metadata`, as it claims it.
    pub verifier_name: Option<String>,
    /// The fresh nonce to sign into each KB-JWT.
    pub nonce: String,
    /// `state`, echoed in the answer.
    pub state: Option<String>,
    /// Where the answer goes.
    pub response_uri: String,
    /// How the answer goes.
    pub response_mode: ResponseMode,
    /// What is asked.
    pub dcql: DcqlQuery,
    /// `client_metadata`, as sent.
    pub client_metadata: Map<String, Value>,
}

impl PresentationRequest {
    /// Whether the verifier proved who it is (a signed request), not only where it answers.
    pub fn is_authenticated(&self) -> bool {
        self.prefix != ClientIdPrefix::RedirectUri
    }
}

impl Wallet {
    /// Reads and checks the request behind `link` (`openid4vp://…` or an https link).
    pub async fn open_request(&self, link: &str) -> Result<PresentationRequest, WalletError> {
        let params = link_parameters(link)?;
        let outer_client_id = params.get("client_id").and_then(Value::as_str);
        let request_object = match (params.get("request_uri"), params.get("request")) {
            (Some(uri), _) => {
                let method = params.get("request_uri_method").and_then(Value::as_str);
                let uri = uri.as_str().ok_or(RequestError::Parameter("request_uri"))?;
                Some(
                    fetch_request_object(&self.http, uri, method)
                        .await
                        .map_err(RequestError::from)?,
                )
            }
            (None, Some(object)) => Some(object.as_str().unwrap_or_default().to_owned()),
            (None, None) => None,
        };
        let (claims, signed_by) = match &request_object {
            Some(object) => {
                let (claims, kid) = self.verify_request_object(object, outer_client_id).await?;
                (claims, Some(kid))
            }
            None => (params.clone(), None),
        };
        Ok(read_parameters(&claims, signed_by.is_some())?)
    }

    /// Verifies a signed request object against its client identifier; its claims.
    async fn verify_request_object(
        &self,
        object: &str,
        outer_client_id: Option<&str>,
    ) -> Result<(Map<String, Value>, String), RequestError> {
        let decoded = jws::decode_compact(object, MAX_REQUEST_OBJECT)
            .map_err(|e| RequestError::BadSignature(e.to_string()))?;
        if decoded.typ() != Some(REQUEST_OBJECT_TYP) {
            return Err(RequestError::WrongType(decoded.typ().map(str::to_owned)));
        }
        let claims: Map<String, Value> = serde_json::from_slice(&decoded.payload)
            .map_err(|_| RequestError::Parameter("request object payload"))?;
        let client_id = claims
            .get("client_id")
            .and_then(Value::as_str)
            .ok_or(RequestError::Parameter("client_id"))?;
        if let Some(outer) = outer_client_id
            && outer != client_id
        {
            return Err(RequestError::ClientIdMismatch {
                outer: outer.to_owned(),
                inner: client_id.to_owned(),
            });
        }
        match split_prefix(client_id)? {
            (ClientIdPrefix::RedirectUri, _) => return Err(RequestError::MustNotBeSigned),
            (ClientIdPrefix::DecentralizedIdentifier, did) => {
                let key = self.did_signing_key(did, decoded.kid()).await?;
                decoded
                    .verify(&key, &VerifyPolicy::new(&Algorithm::ALL))
                    .map_err(|e| RequestError::BadSignature(e.to_string()))?;
            }
            (ClientIdPrefix::X509SanDns, name) => {
                super::x509::verify(object, &decoded, name, &self.config.x509_trust_anchors)?;
            }
        }
        if let Some(exp) = claims.get("exp").and_then(Value::as_i64)
            && exp <= now()
        {
            return Err(RequestError::Expired);
        }
        Ok((claims, decoded.kid().unwrap_or_default().to_owned()))
    }

    /// The key of `did` that `kid` (a DID URL of that DID) names.
    async fn did_signing_key(
        &self,
        did: &str,
        kid: Option<&str>,
    ) -> Result<PublicKey, RequestError> {
        let kid = kid.ok_or_else(|| RequestError::BadSignature("no kid header".into()))?;
        let url: DidUrl = kid
            .parse()
            .map_err(|e| RequestError::BadSignature(format!("kid {kid}: {e}")))?;
        if url.did().as_str() != did {
            return Err(RequestError::BadSignature(format!(
                "kid {kid} is not a key of {did}"
            )));
        }
        let method = self
            .resolver
            .resolve_verification_method(&url)
            .await
            .map_err(|e| RequestError::BadSignature(format!("resolving {kid}: {e}")))?;
        method
            .public_key()
            .map_err(|e| RequestError::BadSignature(e.to_string()))
    }
}

/// The query parameters of a request link.
fn link_parameters(link: &str) -> Result<Map<String, Value>, RequestError> {
    let url = Url::parse(link.trim())
        .map_err(|e| RequestError::NotARequest(format!("not a URL: {e}")))?;
    Ok(url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect())
}

/// Reads an unsigned request passed by value in `link`, without a wallet or the network: the
/// same checks [`Wallet::open_request`] applies (a signed or by-reference request is refused
/// here, as it needs the network to be authenticated).
pub fn parse_unsigned_link(link: &str) -> Result<PresentationRequest, RequestError> {
    let params = link_parameters(link)?;
    if params.contains_key("request_uri") || params.contains_key("request") {
        return Err(RequestError::NotARequest(
            "a signed or by-reference request needs Wallet::open_request".into(),
        ));
    }
    read_parameters(&params, false)
}

/// The prefix of `client_id` and the value after it.
fn split_prefix(client_id: &str) -> Result<(ClientIdPrefix, &str), RequestError> {
    let unsupported = || RequestError::UnsupportedClientIdPrefix(client_id.to_owned());
    let (prefix, value) = client_id.split_once(':').ok_or_else(unsupported)?;
    let prefix = match prefix {
        "redirect_uri" => ClientIdPrefix::RedirectUri,
        "decentralized_identifier" => ClientIdPrefix::DecentralizedIdentifier,
        "x509_san_dns" => ClientIdPrefix::X509SanDns,
        _ => return Err(unsupported()),
    };
    Ok((prefix, value))
}

/// The request's parameters (from the link or a verified request object), checked.
fn read_parameters(
    params: &Map<String, Value>,
    signed: bool,
) -> Result<PresentationRequest, RequestError> {
    let text = |name: &'static str| {
        params
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(RequestError::Parameter(name))
    };
    let client_id = text("client_id")?;
    let (prefix, value) = split_prefix(&client_id)?;
    if !signed && prefix != ClientIdPrefix::RedirectUri {
        let name = client_id.split(':').next().unwrap_or_default();
        return Err(RequestError::SignatureRequired(name.to_owned()));
    }
    let response_type = text("response_type")?;
    if response_type != "vp_token" {
        return Err(RequestError::UnsupportedResponseType(response_type));
    }
    let response_mode = match text("response_mode")?.as_str() {
        "direct_post" => ResponseMode::DirectPost,
        "direct_post.jwt" => ResponseMode::DirectPostJwt,
        other => return Err(RequestError::UnsupportedResponseMode(other.to_owned())),
    };
    let response_uri = text("response_uri")?;
    Url::parse(&response_uri).map_err(|_| RequestError::Parameter("response_uri"))?;
    // x509_san_dns: without a list of trusted client identifiers, the answer goes to the
    // certificate's host only (§5.9.3).
    let response_host = Url::parse(&response_uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    let wrong_place = match prefix {
        ClientIdPrefix::RedirectUri => response_uri != value,
        ClientIdPrefix::X509SanDns => response_host.as_deref() != Some(value),
        ClientIdPrefix::DecentralizedIdentifier => false,
    };
    if wrong_place {
        return Err(RequestError::ResponseUriMismatch {
            client_id: client_id.clone(),
            response_uri,
        });
    }
    let dcql = json_parameter(params, "dcql_query")?;
    let dcql = DcqlQuery::from_json(&dcql, &Limits::default())?;
    let client_metadata = match params.get("client_metadata") {
        None => Map::new(),
        Some(_) => match json_parameter(params, "client_metadata")? {
            Value::Object(map) => map,
            _ => return Err(RequestError::Parameter("client_metadata")),
        },
    };
    Ok(PresentationRequest {
        verifier_name: client_metadata
            .get("client_name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        client_id,
        prefix,
        nonce: text("nonce")?,
        state: params
            .get("state")
            .and_then(Value::as_str)
            .map(str::to_owned),
        response_uri,
        response_mode,
        dcql,
        client_metadata,
    })
}

/// A JSON-valued parameter: an object in a request object, JSON text in a link.
fn json_parameter(params: &Map<String, Value>, name: &'static str) -> Result<Value, RequestError> {
    match params.get(name) {
        Some(Value::String(text)) => {
            serde_json::from_str(text).map_err(|_| RequestError::Parameter(name))
        }
        Some(value @ Value::Object(_)) => Ok(value.clone()),
        _ => Err(RequestError::Parameter(name)),
    }
}
