//! Credential Offers (OpenID4VCI 1.0 §4.1): the JSON object, and the deep link that carries it
//! by value (`credential_offer`) or by reference (`credential_offer_uri`).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::legacy::{self, LegacyName};
use super::metadata::{WellKnownError, check_issuer_identifier, is_loopback};

/// Grant type of the Pre-Authorized Code Flow (§4.1.1).
pub const PRE_AUTHORIZED_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

/// The wallet's custom scheme for offers (§12.1.1).
pub const OFFER_SCHEME: &str = "openid-credential-offer://";

/// Longest `tx_code.description` (§4.1.1).
pub const MAX_TX_CODE_DESCRIPTION: usize = 300;

const LEGACY: [(&str, &str); 2] = [
    ("credentials", "use `credential_configuration_ids`"),
    (
        "user_pin_required",
        "use `tx_code` in the pre-authorized_code grant",
    ),
];

/// Why an offer or an offer link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfferError {
    /// Not JSON, or a member has the wrong type.
    #[error("malformed credential offer: {0}")]
    Json(String),
    /// A draft-era member.
    #[error("{0}")]
    Legacy(LegacyName),
    /// `credential_issuer` is not a valid Credential Issuer Identifier.
    #[error("credential_issuer: {0}")]
    Issuer(#[from] WellKnownError),
    /// `credential_configuration_ids` is empty.
    #[error("credential_configuration_ids must not be empty")]
    NoConfigurationIds,
    /// An id appears twice in `credential_configuration_ids`.
    #[error("credential_configuration_ids lists `{0}` twice")]
    DuplicateConfigurationId(String),
    /// The pre-authorized code is empty.
    #[error("`pre-authorized_code` must not be empty")]
    EmptyPreAuthorizedCode,
    /// `tx_code.description` is longer than 300 characters.
    #[error("tx_code description has {0} characters, more than 300")]
    TxCodeDescriptionTooLong(usize),
    /// `tx_code.length` is zero.
    #[error("tx_code length must be positive")]
    TxCodeLengthZero,
    /// The link carries both `credential_offer` and `credential_offer_uri`.
    #[error("offer link has both credential_offer and credential_offer_uri")]
    BothOfferParameters,
    /// The link carries neither parameter.
    #[error("offer link has neither credential_offer nor credential_offer_uri")]
    NoOfferParameter,
    /// A parameter appears twice in the link.
    #[error("offer link repeats `{0}`")]
    RepeatedParameter(String),
    /// `credential_offer_uri` is not an https URL.
    #[error("credential_offer_uri must be an https URL: {0}")]
    OfferUriNotHttps(String),
    /// The link is not a URL.
    #[error("offer link is not a URL: {0}")]
    InvalidLink(String),
}

/// A Credential Offer (§4.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialOffer {
    /// The Credential Issuer Identifier.
    pub credential_issuer: String,
    /// Keys of `credential_configurations_supported` in the issuer's metadata; non-empty, unique.
    pub credential_configuration_ids: Vec<String>,
    /// The grants the wallet may use; absent means "find out from the metadata".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Grants>,
}

/// The `grants` object (§4.1.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    /// The Authorization Code Flow grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<AuthorizationCodeGrant>,
    /// The Pre-Authorized Code Flow grant.
    #[serde(
        rename = "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_code: Option<PreAuthorizedCodeGrant>,
}

/// Parameters of the `authorization_code` grant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationCodeGrant {
    /// Opaque value binding the authorization request to this offer (§5.1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_state: Option<String>,
    /// Which of the metadata's `authorization_servers` to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
}

/// Parameters of the pre-authorized code grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreAuthorizedCodeGrant {
    /// The code (the member name has a hyphen).
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: String,
    /// Present (even as `{}`) when a Transaction Code is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_code: Option<TxCode>,
    /// Which of the metadata's `authorization_servers` to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
}

impl PreAuthorizedCodeGrant {
    /// Whether the token request must carry a `tx_code`: any `tx_code` object, even empty.
    pub fn requires_tx_code(&self) -> bool {
        self.tx_code.is_some()
    }
}

/// How the wallet should ask for the Transaction Code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxCode {
    /// Character set; `numeric` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_mode: Option<InputMode>,
    /// Number of characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Guidance for the user, at most 300 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `tx_code.input_mode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputMode {
    /// Digits only (the default).
    #[default]
    Numeric,
    /// Any characters.
    Text,
}

impl CredentialOffer {
    /// Parses and validates an offer from JSON text.
    pub fn parse(json: &str) -> Result<Self, OfferError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| OfferError::Json(e.to_string()))?;
        Self::from_value(value)
    }

    /// Validates and converts an already-parsed JSON value.
    pub fn from_value(value: Value) -> Result<Self, OfferError> {
        let object = value
            .as_object()
            .ok_or_else(|| OfferError::Json("an offer is a JSON object".into()))?;
        let grant = object
            .get("grants")
            .and_then(|g| g.get(PRE_AUTHORIZED_CODE_GRANT))
            .and_then(Value::as_object);
        if let Some(found) =
            legacy::find(object, &LEGACY).or_else(|| grant.and_then(|g| legacy::find(g, &LEGACY)))
        {
            return Err(OfferError::Legacy(found));
        }
        let offer: CredentialOffer =
            serde_json::from_value(value).map_err(|e| OfferError::Json(e.to_string()))?;
        offer.validate()?;
        Ok(offer)
    }

    /// Checks the rules serde cannot express.
    pub fn validate(&self) -> Result<(), OfferError> {
        check_issuer_identifier(&self.credential_issuer)?;
        if self.credential_configuration_ids.is_empty() {
            return Err(OfferError::NoConfigurationIds);
        }
        let mut seen = BTreeSet::new();
        if let Some(dup) = self
            .credential_configuration_ids
            .iter()
            .find(|id| !seen.insert(id.as_str()))
        {
            return Err(OfferError::DuplicateConfigurationId(dup.clone()));
        }
        let grant = self
            .grants
            .as_ref()
            .and_then(|g| g.pre_authorized_code.as_ref());
        if let Some(grant) = grant {
            if grant.pre_authorized_code.is_empty() {
                return Err(OfferError::EmptyPreAuthorizedCode);
            }
            if let Some(tx) = &grant.tx_code {
                tx.validate()?;
            }
        }
        Ok(())
    }
}

impl TxCode {
    fn validate(&self) -> Result<(), OfferError> {
        if self.length == Some(0) {
            return Err(OfferError::TxCodeLengthZero);
        }
        let chars = self.description.as_deref().map_or(0, |d| d.chars().count());
        if chars > MAX_TX_CODE_DESCRIPTION {
            return Err(OfferError::TxCodeDescriptionTooLong(chars));
        }
        Ok(())
    }
}

/// What an offer link carries: the offer itself or where to fetch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferReference {
    /// `credential_offer`: the offer by value.
    ByValue(CredentialOffer),
    /// `credential_offer_uri`: an https URL serving the offer as `application/json`.
    ByReference(Url),
}

impl OfferReference {
    /// Parses an offer link (`openid-credential-offer://?…`, or any URL the wallet is invoked
    /// with): exactly one of `credential_offer` / `credential_offer_uri`.
    pub fn parse_link(link: &str) -> Result<Self, OfferError> {
        let url = Url::parse(link).map_err(|e| OfferError::InvalidLink(e.to_string()))?;
        let (mut by_value, mut by_reference) = (None, None);
        for (name, value) in url.query_pairs() {
            let slot = match name.as_ref() {
                "credential_offer" => &mut by_value,
                "credential_offer_uri" => &mut by_reference,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(OfferError::RepeatedParameter(name.into_owned()));
            }
        }
        match (by_value, by_reference) {
            (Some(_), Some(_)) => Err(OfferError::BothOfferParameters),
            (None, None) => Err(OfferError::NoOfferParameter),
            (Some(json), None) => CredentialOffer::parse(&json).map(OfferReference::ByValue),
            (None, Some(uri)) => parse_offer_uri(&uri).map(OfferReference::ByReference),
        }
    }

    /// The link under `base` (e.g. [`OFFER_SCHEME`] or an https universal link).
    pub fn to_link(&self, base: &str) -> String {
        let pair = match self {
            OfferReference::ByValue(offer) => (
                "credential_offer",
                serde_json::to_string(offer).expect("an offer always serializes"),
            ),
            OfferReference::ByReference(uri) => ("credential_offer_uri", uri.to_string()),
        };
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair(pair.0, &pair.1)
            .finish();
        let base = base.trim_end_matches('?');
        let separator = if base.contains('?') { '&' } else { '?' };
        format!("{base}{separator}{query}")
    }
}

fn parse_offer_uri(uri: &str) -> Result<Url, OfferError> {
    match Url::parse(uri) {
        Ok(url) if url.scheme() == "https" && url.has_host() => Ok(url),
        // A development node on this machine; the HTTP client decides whether to reach it.
        Ok(url) if url.scheme() == "http" && is_loopback(&url) => Ok(url),
        _ => Err(OfferError::OfferUriNotHttps(uri.to_owned())),
    }
}
