//! The issuer's admin API (bearer admin token on every route): subjects (one by one or from
//! CSV), offers for a subject or for given claims — by value or by reference, with a deep link,
//! a QR code and the PIN to send out of band — and the issued credentials with revoke, suspend
//! and reinstate.

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use saifu_issuer::{
    IssuedRecord, IssuerError, NewOffer, OfferTerms, PendingRecord, Recipient, StatusChange,
    SubjectRecord, status_name,
};
use saifu_oid4vc::vci::offer::{InputMode, OFFER_SCHEME, OfferReference, TxCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::auth;
use crate::issuer::{Failure, IssuerRole, no_store, unauthorized};
use crate::openapi::OAuthError;
use crate::pages::{qr_by_default, qr_svg};
use crate::settings::CredentialSettings;

type Role = State<Arc<IssuerRole>>;

/// Most rows a list endpoint returns when the request names no `limit`.
const DEFAULT_LIMIT: i64 = 100;
/// Most rows a list endpoint ever returns.
const MAX_LIMIT: i64 = 1000;

/// The admin routes, each behind the admin token.
pub(crate) fn routes(role: Arc<IssuerRole>) -> Router<Arc<IssuerRole>> {
    Router::new()
        .route("/admin/subjects", get(list_subjects).post(put_subject))
        .route("/admin/subjects/import", post(import_subjects))
        .route(
            "/admin/subjects/{id}",
            get(get_subject).delete(delete_subject),
        )
        .route("/admin/offers", post(create_offer))
        .route("/admin/credentials", get(list_issued))
        .route("/admin/credentials/{index}", get(get_issued))
        .route("/admin/credentials/{index}/{action}", post(change_status))
        .route(
            "/admin/configurations",
            get(configurations).post(add_configuration),
        )
        .route("/admin/deferred", get(list_pending))
        .route("/admin/deferred/{id}/{decision}", post(decide_pending))
        .route_layer(middleware::from_fn_with_state(role, require_admin))
}

async fn require_admin(State(role): Role, request: Request, next: Next) -> Response {
    if auth::has_admin_token(request.headers(), &role.admin_token) {
        next.run(request).await
    } else {
        unauthorized()
    }
}

fn invalid(why: impl std::fmt::Display) -> Failure {
    Failure(IssuerError::InvalidInput(why.to_string()))
}

/// A JSON body, or a 400 that says what is wrong with it.
fn parse<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, Failure> {
    serde_json::from_str(body).map_err(|e| invalid(format!("malformed request body: {e}")))
}

/// A subject as the API shows it: never the password hash, only whether one is set.
fn subject_view(subject: &SubjectRecord) -> Value {
    json!({
        "id": subject.id,
        "claims": serde_json::from_str::<Value>(&subject.claims).unwrap_or(Value::Null),
        "can_log_in": subject.password_hash.is_some(),
        "created_at": subject.created_at,
        "updated_at": subject.updated_at,
    })
}

/// Issued credentials as the API shows them: what revocation needs, no credential secret.
pub(crate) async fn issued_views(
    role: &IssuerRole,
    records: &[IssuedRecord],
) -> Result<Vec<Value>, Failure> {
    let published = role.issuer.published_status(records).await?;
    Ok(records
        .iter()
        .zip(published)
        .map(|(record, published)| issued_view(record, published))
        .collect())
}

/// One issued credential as the API shows it; `status_index` is the credential's number on
/// this issuer, `status_list` where its status is published (the reference it carries).
fn issued_view(record: &IssuedRecord, published: Option<(String, u64)>) -> Value {
    let (uri, index) = published.unzip();
    json!({
        "status_index": record.status_index,
        "status_list": {"uri": uri, "index": index},
        "credential_configuration_id": record.config_id,
        "subject": record.subject_id,
        "claims": serde_json::from_str::<Value>(&record.claims).unwrap_or(Value::Null),
        "holder_key_thumbprint": record.holder_thumbprint,
        "issued_at": record.issued_at,
        "expires_at": record.expires_at,
        "status": status_name(record.status),
        "status_changed_at": record.status_changed_at,
    })
}

/// Body of `POST /admin/subjects`: a subject's claims, and a password when it may log in to
/// the issuer (authorization code flow).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubjectBody {
    id: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    claims: Map<String, Value>,
    #[serde(default)]
    password: Option<String>,
}

#[utoipa::path(post, path = "/admin/subjects", tag = "issuer admin",
    request_body = SubjectBody,
    responses((status = 201, description = "The subject as stored (never its password hash)", body = Object),
              (status = 400, description = "Malformed body", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn put_subject(State(role): Role, body: String) -> Result<Response, Failure> {
    let body: SubjectBody = parse(&body)?;
    let subject = role
        .issuer
        .put_subject(&body.id, body.claims, body.password.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(subject_view(&subject))).into_response())
}

#[utoipa::path(post, path = "/admin/subjects/import", tag = "issuer admin",
    request_body(content = String, content_type = "text/csv",
                 description = "A header row of claim names, `id` first; one subject per row"),
    responses((status = 200, description = "How many subjects were imported, and each refused row with its reason", body = Object),
              (status = 400, description = "Not CSV, or no `id` column", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn import_subjects(State(role): Role, body: String) -> Result<Response, Failure> {
    let report = role.issuer.import_subjects_csv(&body).await?;
    Ok(Json(report).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    subject: Option<String>,
}

impl ListQuery {
    fn limit(&self) -> i64 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
}

#[utoipa::path(get, path = "/admin/subjects", tag = "issuer admin",
    params(("limit" = Option<i64>, Query, description = "At most this many (1–1000, default 100)")),
    responses((status = 200, description = "`{\"subjects\": [...]}`", body = Object),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn list_subjects(
    State(role): Role,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let subjects = role.issuer.subjects(query.limit()).await?;
    let views: Vec<Value> = subjects.iter().map(subject_view).collect();
    Ok(Json(json!({ "subjects": views })).into_response())
}

#[utoipa::path(get, path = "/admin/subjects/{id}", tag = "issuer admin",
    params(("id" = String, Path, description = "The subject id")),
    responses((status = 200, description = "The subject", body = Object),
              (status = 404, description = "No such subject", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn get_subject(
    State(role): Role,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let subject = role.issuer.subject(&id).await?;
    Ok(Json(subject_view(&subject)).into_response())
}

#[utoipa::path(delete, path = "/admin/subjects/{id}", tag = "issuer admin",
    params(("id" = String, Path, description = "The subject id")),
    responses((status = 204, description = "Removed"),
              (status = 404, description = "No such subject", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn delete_subject(
    State(role): Role,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    role.issuer.remove_subject(&id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Body of `POST /admin/offers`: for a registered `subject`, or for literal `claims`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OfferBody {
    credential_configuration_id: String,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    claims: Option<Map<String, Value>>,
    /// A PIN required at the token endpoint (`true` for a 6-digit one, or a `tx_code` object).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    tx_code: Option<TxCodeChoice>,
    /// Publish the offer at a `credential_offer_uri` instead of inlining it in the link.
    #[serde(default)]
    by_reference: bool,
    /// Also offer the authorization code grant (the subject logs in at the issuer).
    #[serde(default)]
    authorization_code: bool,
    /// Hold issuance until an operator approves it (`/admin/deferred`).
    #[serde(default)]
    deferred: bool,
    /// Include the link as a QR code (`qr_svg`, default `true`); `false` when only the link
    /// is needed: rendering is most of a presentation session's creation (BENCHMARKS.md §4).
    #[serde(default = "qr_by_default")]
    qr: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TxCodeChoice {
    Flag(bool),
    Spec(TxCode),
}

impl TxCodeChoice {
    fn into_tx_code(self) -> Option<TxCode> {
        match self {
            TxCodeChoice::Flag(false) => None,
            TxCodeChoice::Flag(true) => Some(TxCode {
                input_mode: Some(InputMode::Numeric),
                length: None,
                description: Some("Enter the PIN you received from the issuer".into()),
            }),
            TxCodeChoice::Spec(spec) => Some(spec),
        }
    }
}

/// Answer of `POST /admin/offers`.
#[derive(Debug, Serialize)]
struct OfferCreated {
    credential_offer: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_offer_uri: Option<String>,
    link: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    qr_svg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tx_code: Option<String>,
}

#[utoipa::path(post, path = "/admin/offers", tag = "issuer admin",
    request_body = OfferBody,
    responses((status = 201, description = "The credential offer, its `openid-credential-offer://` link, a QR code (SVG) and the PIN to send separately", body = Object),
              (status = 400, description = "Unknown configuration or subject, or both or neither of `subject` and `claims`", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn create_offer(State(role): Role, body: String) -> Result<Response, Failure> {
    let body: OfferBody = parse(&body)?;
    let terms = OfferTerms {
        tx_code: body.tx_code.and_then(TxCodeChoice::into_tx_code),
        authorization_code: body.authorization_code,
        deferred: body.deferred,
    };
    let recipient = match (&body.subject, body.claims) {
        (Some(subject), None) => Recipient::Subject(subject),
        (None, Some(claims)) => Recipient::Claims(claims),
        _ => return Err(invalid("give exactly one of `subject` and `claims`")),
    };
    let created = role
        .issuer
        .create_offer_for(recipient, &body.credential_configuration_id, terms)
        .await?;
    let answer = offer_answer(&role, created, body.by_reference, body.qr).await?;
    Ok((StatusCode::CREATED, no_store(), Json(answer)).into_response())
}

async fn offer_answer(
    role: &IssuerRole,
    created: NewOffer,
    by_reference: bool,
    qr: bool,
) -> Result<OfferCreated, Failure> {
    let (reference, credential_offer_uri) = if by_reference {
        let uri = role.issuer.publish_offer(&created.offer).await?;
        let url =
            url::Url::parse(&uri).map_err(|e| Failure(IssuerError::Signing(e.to_string())))?;
        (OfferReference::ByReference(url), Some(uri))
    } else {
        (OfferReference::ByValue(created.offer.clone()), None)
    };
    let link = reference.to_link(OFFER_SCHEME);
    Ok(OfferCreated {
        credential_offer: serde_json::to_value(&created.offer).unwrap_or(Value::Null),
        credential_offer_uri,
        qr_svg: qr.then(|| qr_svg(&link)).flatten(),
        link,
        tx_code: created.pin,
    })
}

#[utoipa::path(get, path = "/admin/credentials", tag = "issuer admin",
    params(("limit" = Option<i64>, Query, description = "At most this many (1–1000, default 100)"),
           ("subject" = Option<String>, Query, description = "Only this subject's credentials")),
    responses((status = 200, description = "`{\"credentials\": [...]}`: number, published status list and index, type, subject, holder key thumbprint, validity, status", body = Object),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn list_issued(
    State(role): Role,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let issued = role
        .issuer
        .issued_list(query.subject.as_deref(), query.limit())
        .await?;
    let views = issued_views(&role, &issued).await?;
    Ok(Json(json!({ "credentials": views })).into_response())
}

#[utoipa::path(get, path = "/admin/credentials/{index}", tag = "issuer admin",
    params(("index" = i64, Path, description = "The credential's number (`status_index` in the listing)")),
    responses((status = 200, description = "The issued credential's record and the wallet's last notification", body = Object),
              (status = 404, description = "No credential at that index", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn get_issued(
    State(role): Role,
    Path(index): Path<i64>,
) -> Result<Response, Failure> {
    let record = role.issuer.issued(index).await?;
    let mut view = one_view(&role, record).await?;
    view["wallet_event"] = json!(role.issuer.wallet_event(index).await?);
    Ok(Json(view).into_response())
}

#[utoipa::path(post, path = "/admin/credentials/{index}/{action}", tag = "issuer admin",
    params(("index" = i64, Path, description = "The credential's number (`status_index` in the listing)"),
           ("action" = String, Path, description = "`revoke`, `suspend` or `reinstate`")),
    responses((status = 200, description = "The record with its new status, published in the status list", body = Object),
              (status = 400, description = "The change is not allowed (a revoked credential stays revoked)", body = OAuthError),
              (status = 404, description = "No credential at that index, or no such action", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn change_status(
    State(role): Role,
    Path((index, action)): Path<(i64, String)>,
) -> Result<Response, Failure> {
    let change = match action.as_str() {
        "revoke" => StatusChange::Revoke,
        "suspend" => StatusChange::Suspend,
        "reinstate" => StatusChange::Reinstate,
        other => {
            return Err(Failure(IssuerError::NotFound(format!(
                "no action `{other}`: use revoke, suspend or reinstate"
            ))));
        }
    };
    let record = role.issuer.change_status(index, change).await?;
    tracing::info!(status_index = index, action = %action, "credential status changed");
    let status = record.status;
    let mut view = one_view(&role, record).await?;
    view["registry_leaf_index"] = json!(role.log_status(index, status).await);
    Ok(Json(view).into_response())
}

async fn one_view(role: &IssuerRole, record: IssuedRecord) -> Result<Value, Failure> {
    let mut views = issued_views(role, std::slice::from_ref(&record)).await?;
    Ok(views.pop().unwrap_or(Value::Null))
}

/// A deferred issuance as the operator sees it: who, what, since when — no secret.
fn pending_view(pending: &PendingRecord) -> Value {
    json!({
        "id": pending.id,
        "credential_configuration_id": pending.config_id,
        "subject": pending.subject_id,
        "claims": serde_json::from_str::<Value>(&pending.claims).unwrap_or(Value::Null),
        "credentials": serde_json::from_str::<Vec<Value>>(&pending.holder_keys).map_or(0, |k| k.len()),
        "requested_at": pending.created_at,
        "expires_at": pending.expires_at,
    })
}

#[utoipa::path(get, path = "/admin/deferred", tag = "issuer admin",
    params(("limit" = Option<i64>, Query, description = "At most this many (1–1000, default 100)")),
    responses((status = 200, description = "`{\"pending\": [...]}`: issuances waiting for a decision", body = Object),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn list_pending(
    State(role): Role,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let pending = role.issuer.pending_issuances(query.limit()).await?;
    let views: Vec<Value> = pending.iter().map(pending_view).collect();
    Ok(Json(json!({ "pending": views })).into_response())
}

#[utoipa::path(post, path = "/admin/deferred/{id}/{decision}", tag = "issuer admin",
    params(("id" = String, Path, description = "The pending issuance"),
           ("decision" = String, Path, description = "`approve` or `reject`")),
    responses((status = 200, description = "`{\"id\", \"state\"}`", body = Object),
              (status = 404, description = "No such pending issuance, or no such decision", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn decide_pending(
    State(role): Role,
    Path((id, decision)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(Failure(IssuerError::NotFound(format!(
                "no decision `{other}`: use approve or reject"
            ))));
        }
    };
    role.issuer.decide_pending(&id, approve).await?;
    tracing::info!(pending = %id, approve, "deferred issuance decided");
    Ok(
        Json(json!({ "id": id, "state": if approve { "approved" } else { "rejected" } }))
            .into_response(),
    )
}

#[utoipa::path(get, path = "/admin/configurations", tag = "issuer admin",
    responses((status = 200, description = "`credential_configurations_supported` as the issuer metadata publishes it", body = Object),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
pub(crate) async fn configurations(State(role): Role) -> Result<Response, Failure> {
    role.issuer.reload_configurations().await?;
    let metadata = role.issuer.metadata();
    Ok(Json(json!({
        "credential_configurations_supported": metadata.credential_configurations_supported,
    }))
    .into_response())
}

#[utoipa::path(post, path = "/admin/configurations", tag = "issuer admin",
    request_body(content = Object, description = "A `[[issuer.credentials]]` entry of the config file: `id`, `vct`, `name`, `claims` [{`name`, `display`, `sd`}], optional `scope`, `validity_days`, `holder_binding`"),
    responses((status = 201, description = "The new configuration as published", body = Object),
              (status = 400, description = "Malformed, or the id exists", body = OAuthError),
              (status = 401, description = "Missing or wrong admin token", body = OAuthError)),
    security(("admin_token" = [])))]
/// `POST /admin/configurations`: a new credential type, in the shape of a
/// `[[issuer.credentials]]` entry of the config file.
pub(crate) async fn add_configuration(
    State(role): Role,
    body: String,
) -> Result<Response, Failure> {
    let settings: CredentialSettings = parse(&body)?;
    role.issuer.add_configuration(settings.to_config()).await?;
    tracing::info!(configuration = %settings.id, "credential configuration added");
    let metadata = role.issuer.metadata();
    let added = &metadata.credential_configurations_supported[&settings.id];
    Ok((
        StatusCode::CREATED,
        Json(json!({ settings.id.clone(): added })),
    )
        .into_response())
}
