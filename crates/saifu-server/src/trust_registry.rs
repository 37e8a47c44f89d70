//! Trust over IP Trust Registry Query Protocol v2.0 (Public Review 02) over the registry's
//! trust statements: `POST /registry/trqp/authorization` ("has authority A authorized entity E
//! to take action X on resource R?") and `POST /registry/trqp/recognition` ("does authority A
//! recognise entity E as an authority for X on R?").
//!
//! Requests carry `entity_id`, `authority_id`, `action`, `resource` and an optional `context`
//! whose `time` (RFC 3339) asks about another instant; unknown members are ignored. Answers
//! echo the query with `authorized` or `recognized`, `time_requested`, `time_evaluated` and a
//! `message`, plus saifu's `leaf_index`, `log_origin` and `assurance_level` so a client can
//! fetch an inclusion proof of the statement the answer rests on. Errors are RFC 7807 problem
//! details (TRQP v2.0 "Error Handling"): 400 for a malformed query, 404 for an authority that
//! has made no statement here (the registry cannot answer for it; a known authority's silence
//! about an entity is a definite "no", answered 200), 500 when the store fails. Queries need no
//! credentials (the registry is public), so there is no 401.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use saifu_credential::w3c::datetime;
use saifu_registry::trust::{Relation, Standing, latest};
use saifu_registry::trust_index::SubjectQuery;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::registry_service::{RegistryService, now};

/// A TRQP query (authorization and recognition share the shape).
#[derive(Debug, Deserialize)]
struct Query {
    entity_id: String,
    authority_id: String,
    action: String,
    resource: String,
    #[serde(default)]
    context: Option<Value>,
}

/// The TRQP routes over the registry's trust statements.
pub(crate) fn router<T: Clone + Send + Sync + 'static>(service: Arc<RegistryService>) -> Router<T> {
    Router::new()
        .route("/registry/trqp/authorization", post(authorization))
        .route("/registry/trqp/recognition", post(recognition))
        .with_state(service)
}

/// An RFC 7807 problem details answer.
fn problem(status: StatusCode, detail: String) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// A store failure: logged, and answered 500 without its details.
fn store_failure(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "trust registry query failed");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the trust registry could not be read".into(),
    )
}

async fn authorization(State(service): State<Arc<RegistryService>>, body: Bytes) -> Response {
    answer(&service, Relation::Authorization, &body).await
}

async fn recognition(State(service): State<Arc<RegistryService>>, body: Bytes) -> Response {
    answer(&service, Relation::Recognition, &body).await
}

async fn answer(service: &RegistryService, relation: Relation, body: &[u8]) -> Response {
    let query: Query = match serde_json::from_slice(body) {
        Ok(query) => query,
        Err(e) => return problem(StatusCode::BAD_REQUEST, format!("malformed query: {e}")),
    };
    for (name, value) in [
        ("entity_id", &query.entity_id),
        ("authority_id", &query.authority_id),
        ("action", &query.action),
        ("resource", &query.resource),
    ] {
        if value.is_empty() {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("`{name}` must not be empty"),
            );
        }
    }
    let requested = query
        .context
        .as_ref()
        .and_then(|c| c.get("time"))
        .map(|t| t.as_str().and_then(datetime::parse).ok_or(t));
    let at = match requested {
        None => now(),
        Some(Ok(at)) => at,
        Some(Err(t)) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("context.time {t} is not an RFC 3339 date-time"),
            );
        }
    };
    let subject = SubjectQuery {
        authority_id: &query.authority_id,
        entity_id: &query.entity_id,
        relation,
        action: Some(&query.action),
        resource: Some(&query.resource),
    };
    let statements = match service.statements(&subject).await {
        Ok(statements) => statements,
        Err(e) => return store_failure(&e),
    };
    let found = latest(statements.iter().map(|(l, s)| (*l, s)));
    if found.is_none() {
        match service.knows_authority(&query.authority_id).await {
            Ok(true) => {}
            Ok(false) => {
                return problem(
                    StatusCode::NOT_FOUND,
                    format!(
                        "authority `{}` has made no statement in this registry",
                        query.authority_id
                    ),
                );
            }
            Err(e) => return store_failure(&e),
        }
    }
    let (granted, message) = match found.map(|(_, s)| s.standing(at)) {
        None => (
            false,
            "no statement by this authority about this entity".to_owned(),
        ),
        Some(Standing::InForce) => (true, "in force".to_owned()),
        Some(Standing::Withdrawn) => (false, "withdrawn by the authority".to_owned()),
        Some(Standing::Expired { valid_until }) => (
            false,
            format!("expired at {}", datetime::format(valid_until)),
        ),
        Some(Standing::NotYetValid { valid_from }) => (
            false,
            format!("not valid before {}", datetime::format(valid_from)),
        ),
    };
    let verdict = match relation {
        Relation::Authorization => "authorized",
        Relation::Recognition => "recognized",
    };
    let mut body = json!({
        "entity_id": query.entity_id,
        "authority_id": query.authority_id,
        "action": query.action,
        "resource": query.resource,
        verdict: granted,
        "time_evaluated": datetime::format(now()),
        "message": message,
        "log_origin": service.origin(),
    });
    if let Some(context) = &query.context {
        body["context"] = context.clone();
    }
    if requested.is_some() {
        body["time_requested"] = json!(datetime::format(at));
    }
    if let Some((leaf_index, statement)) = found {
        body["leaf_index"] = json!(leaf_index);
        body["assurance_level"] = json!(statement.assurance_level);
    }
    (StatusCode::OK, Json(body)).into_response()
}
