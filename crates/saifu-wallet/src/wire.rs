//! The wallet's side of HTTP: every call goes through saifu-did's SSRF-safe client, and an
//! error answer becomes [`WalletError::Protocol`] with the OAuth `error` the peer sent.

use saifu_did::http::{Exchange, HttpClient, Outbound};
use serde_json::Value;
use url::Url;

use crate::WalletError;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// Parses `endpoint` as a URL the client may be pointed at.
pub fn url(endpoint: &str) -> Result<Url, WalletError> {
    Url::parse(endpoint).map_err(|e| WalletError::Malformed(format!("{endpoint}: {e}")))
}

/// `GET` of a JSON document.
pub async fn get_json(http: &HttpClient, endpoint: &str) -> Result<Value, WalletError> {
    let target = url(endpoint)?;
    let answer = http.exchange(Outbound::get(&target, JSON)).await?;
    json_answer(endpoint, answer)
}

/// `POST` of form `fields`; the JSON answer of a 2xx.
pub async fn post_form(
    http: &HttpClient,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> Result<Value, WalletError> {
    let target = url(endpoint)?;
    let body = form(fields);
    let answer = http.exchange(Outbound::post(&target, FORM, body)).await?;
    json_answer(endpoint, answer)
}

/// `POST` of a JSON `body` with an access token; the status and JSON answer of a 2xx.
pub async fn post_json(
    http: &HttpClient,
    endpoint: &str,
    body: &Value,
    access_token: Option<&str>,
) -> Result<(u16, Value), WalletError> {
    let target = url(endpoint)?;
    let mut request = Outbound::post(&target, JSON, body.to_string().into_bytes());
    if let Some(token) = access_token {
        request = request.bearer(token);
    }
    let answer = http.exchange(request).await?;
    let status = answer.status;
    json_answer(endpoint, answer).map(|value| (status, value))
}

/// Form-urlencodes `fields`.
pub fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
        .into_bytes()
}

/// The JSON body of a 2xx answer (`null` when empty), or the peer's error.
pub fn json_answer(endpoint: &str, answer: Exchange) -> Result<Value, WalletError> {
    if (200..300).contains(&answer.status) {
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        return serde_json::from_slice(&answer.body)
            .map_err(|e| WalletError::Malformed(format!("{endpoint} answered non-JSON: {e}")));
    }
    Err(protocol_error(endpoint, &answer))
}

/// An error answer as [`WalletError::Protocol`].
pub fn protocol_error(endpoint: &str, answer: &Exchange) -> WalletError {
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    WalletError::Protocol {
        endpoint: endpoint.to_owned(),
        status: answer.status,
        error: body["error"].as_str().unwrap_or("http_error").to_owned(),
        description: body["error_description"].as_str().map(str::to_owned),
    }
}

/// Whether `error` is the OAuth error `code`.
pub fn is_error(error: &WalletError, code: &str) -> bool {
    matches!(error, WalletError::Protocol { error, .. } if error == code)
}
