//! The outbound HTTP client against real servers on loopback: address refusals, size limits
//! (declared and streamed), redirects, status codes and timeouts.

#[path = "common/server.rs"]
mod server;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use saifu_did::http::{AddressClass, HttpClient, HttpConfig, HttpError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

/// A client that may reach loopback over plain HTTP, as every test server here requires.
fn loopback_client(max_body_bytes: usize) -> HttpClient {
    HttpClient::new(HttpConfig {
        allow_private: true,
        allow_http: true,
        max_body_bytes,
        timeout: Duration::from_secs(2),
        ..HttpConfig::default()
    })
    .unwrap()
}

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

async fn test_server() -> SocketAddr {
    server::serve(
        Router::new()
            .route(
                "/ok",
                get(|| async { ([(header::CONTENT_TYPE, "application/json")], "{}") }),
            )
            .route("/big", get(|| async { vec![b'x'; 4096] }))
            .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
            .route("/moved", get(|| async { Redirect::temporary("/ok") }))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late".into_response()
                }),
            ),
    )
    .await
}

#[tokio::test]
async fn non_public_addresses_are_refused_by_default() {
    let client = HttpClient::new(HttpConfig {
        allow_http: true,
        ..HttpConfig::default()
    })
    .unwrap();
    // IP literals are refused before any connection is attempted; `localhost` is refused after
    // our resolver answers 127.0.0.1, i.e. on the address that would have been dialled.
    let cases = [
        ("http://127.0.0.1:9/", "127.0.0.1", AddressClass::Loopback),
        ("http://10.0.0.1/", "10.0.0.1", AddressClass::Private),
        (
            "http://192.168.0.10/",
            "192.168.0.10",
            AddressClass::Private,
        ),
        (
            "http://169.254.169.254/",
            "169.254.169.254",
            AddressClass::LinkLocal,
        ),
        ("http://[::1]:9/", "::1", AddressClass::Loopback),
        ("http://[fd00::1]/", "fd00::1", AddressClass::UniqueLocal),
        ("http://[fe80::1]/", "fe80::1", AddressClass::LinkLocal),
        ("http://[ff02::1]/", "ff02::1", AddressClass::Multicast),
        ("http://0.0.0.0/", "0.0.0.0", AddressClass::Unspecified),
        (
            "http://[::ffff:127.0.0.1]/",
            "::ffff:127.0.0.1",
            AddressClass::Loopback,
        ),
        (
            "http://[::ffff:10.1.1.1]/",
            "::ffff:10.1.1.1",
            AddressClass::Private,
        ),
        ("http://2130706433/", "127.0.0.1", AddressClass::Loopback),
        ("http://localhost:9/", "127.0.0.1", AddressClass::Loopback),
    ];
    for (target, address, expected_class) in cases {
        match client.get(&url(target), "*/*").await {
            Err(HttpError::ForbiddenAddress { addr, class, .. }) => {
                assert_eq!(addr, address.parse::<IpAddr>().unwrap(), "{target}");
                assert_eq!(class, expected_class, "{target}");
            }
            other => panic!("{target}: expected a refusal, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn refused_host_name_never_reaches_the_server() {
    let addr = test_server().await;
    let strict = HttpClient::new(HttpConfig {
        allow_http: true,
        ..HttpConfig::default()
    })
    .unwrap();
    let by_name = url(&format!("http://localhost:{}/ok", addr.port()));
    assert!(matches!(
        strict.get(&by_name, "*/*").await,
        Err(HttpError::ForbiddenAddress {
            class: AddressClass::Loopback,
            ..
        })
    ));
    // The same URL works once private addresses are allowed, so the refusal above was the
    // address policy and not a dead server.
    let response = loopback_client(1024).get(&by_name, "*/*").await.unwrap();
    assert_eq!(response.body, b"{}");
    assert_eq!(response.content_type.as_deref(), Some("application/json"));
}

#[tokio::test]
async fn only_https_unless_http_is_allowed() {
    let client = HttpClient::new(HttpConfig::default()).unwrap();
    for (target, scheme) in [
        ("http://example.com/", "http"),
        ("ftp://example.com/", "ftp"),
        ("file:///etc/passwd", "file"),
    ] {
        assert_eq!(
            client.get(&url(target), "*/*").await,
            Err(HttpError::SchemeNotAllowed(scheme.into()))
        );
    }
}

#[tokio::test]
async fn declared_oversized_body() {
    let addr = test_server().await;
    let client = loopback_client(1024);
    assert_eq!(
        client.get(&url(&format!("http://{addr}/big")), "*/*").await,
        Err(HttpError::BodyTooLarge { limit: 1024 })
    );
    assert_eq!(
        loopback_client(4096)
            .get(&url(&format!("http://{addr}/big")), "*/*")
            .await
            .unwrap()
            .body
            .len(),
        4096
    );
}

/// A raw server that answers with a chunked body of `chunks` × 1 KiB and no Content-Length, so
/// the limit can only be enforced while streaming.
async fn chunked_server(chunks: usize) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 1024];
        let _ = socket.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("400\r\n{}\r\n", "y".repeat(1024));
        for _ in 0..chunks {
            // The client hangs up once over its limit; stop writing then.
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
        let _ = socket.write_all(b"0\r\n\r\n").await;
    });
    addr
}

#[tokio::test]
async fn streamed_oversized_body_stops_at_the_limit() {
    // 64 MiB on offer; the client must give up after 8 KiB.
    let addr = chunked_server(64 * 1024).await;
    assert_eq!(
        loopback_client(8 * 1024)
            .get(&url(&format!("http://{addr}/")), "*/*")
            .await,
        Err(HttpError::BodyTooLarge { limit: 8 * 1024 })
    );
    let small = chunked_server(3).await;
    let response = loopback_client(8 * 1024)
        .get(&url(&format!("http://{small}/")), "*/*")
        .await
        .unwrap();
    assert_eq!(response.body.len(), 3 * 1024);
}

#[tokio::test]
async fn redirects_statuses_and_timeouts() {
    let addr = test_server().await;
    let client = loopback_client(1024);
    assert_eq!(
        client
            .get(&url(&format!("http://{addr}/moved")), "*/*")
            .await,
        Err(HttpError::Redirect {
            status: 307,
            location: Some("/ok".into())
        })
    );
    assert_eq!(
        client
            .get(&url(&format!("http://{addr}/missing")), "*/*")
            .await,
        Err(HttpError::Status(404))
    );
    let impatient = HttpClient::new(HttpConfig {
        allow_private: true,
        allow_http: true,
        timeout: Duration::from_millis(300),
        ..HttpConfig::default()
    })
    .unwrap();
    assert_eq!(
        impatient
            .get(&url(&format!("http://{addr}/slow")), "*/*")
            .await,
        Err(HttpError::Timeout)
    );
}
