//! `request_uri` fetching over real HTTP on loopback: private addresses are refused unless
//! allowed, and only a compact JWS served as `application/oauth-authz-req+jwt` is accepted.

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use saifu_did::http::{HttpClient, HttpConfig, HttpError};
use saifu_oid4vc::vp::fetch::{RequestUriError, fetch_request_object};

const JWS: &str = "eyJhbGciOiJFUzI1NiJ9.eyJub25jZSI6Im4ifQ.c2ln";

/// A loopback server with a good request object, a wrong content type and a non-JWS body.
async fn serve() -> String {
    let app = Router::new()
        .route(
            "/good",
            get(|| async { ([(CONTENT_TYPE, "application/oauth-authz-req+jwt")], JWS) }),
        )
        .route(
            "/html",
            get(|| async { ([(CONTENT_TYPE, "text/html")], JWS) }),
        )
        .route(
            "/garbage",
            get(|| async {
                (
                    [(CONTENT_TYPE, "application/oauth-authz-req+jwt")],
                    "<html>",
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    base
}

fn client(allow_private: bool) -> HttpClient {
    HttpClient::new(HttpConfig {
        allow_private,
        allow_http: true,
        ..HttpConfig::default()
    })
    .expect("client")
}

#[tokio::test]
async fn private_addresses_are_refused_by_default() {
    let base = serve().await;
    let strict = client(false);
    for uri in [format!("{base}/good"), "http://10.1.2.3/request".to_owned()] {
        let error = fetch_request_object(&strict, &uri, None)
            .await
            .expect_err("refused");
        assert!(
            matches!(
                error,
                RequestUriError::Fetch(HttpError::ForbiddenAddress { .. })
            ),
            "{uri}: {error:?}"
        );
    }
}

#[tokio::test]
async fn https_is_required_by_default() {
    let strict = HttpClient::new(HttpConfig::default()).expect("client");
    let error = fetch_request_object(&strict, "http://verifier.example/r", None)
        .await
        .expect_err("refused");
    assert_eq!(
        error,
        RequestUriError::Fetch(HttpError::SchemeNotAllowed("http".into()))
    );
}

#[tokio::test]
async fn only_a_request_object_is_accepted() {
    let base = serve().await;
    let open = client(true);
    let object = fetch_request_object(&open, &format!("{base}/good"), Some("get"))
        .await
        .expect("fetched");
    assert_eq!(object, JWS);
    assert!(matches!(
        fetch_request_object(&open, &format!("{base}/html"), None).await,
        Err(RequestUriError::WrongContentType(Some(ref t))) if t == "text/html"
    ));
    assert_eq!(
        fetch_request_object(&open, &format!("{base}/garbage"), None).await,
        Err(RequestUriError::NotCompactJws)
    );
    assert_eq!(
        fetch_request_object(&open, &format!("{base}/good"), Some("post")).await,
        Err(RequestUriError::UnsupportedMethod("post".into()))
    );
    assert!(matches!(
        fetch_request_object(&open, "not a url", None).await,
        Err(RequestUriError::InvalidUri(_))
    ));
}
