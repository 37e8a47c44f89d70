//! The operator's portal pages of a whole node over real HTTP on loopback (SQLite): sign-in
//! with the admin token and its cookie, the sign-in redirect, the same-origin rule on form
//! posts, the issuer portal's forms (subjects, CSV, offers with QR and PIN, revocation) checked
//! against the admin API, and the verifier portal's request page.

#[path = "support/node.rs"]
mod support;

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use support::Node;

/// The signed-in cookie pair (`saifu_admin=…`) after signing in with the node's token.
async fn sign_in(node: &Node) -> String {
    let response = node
        .http
        .post(node.url("/portal/login"))
        .form(&[("token", node.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// `POST path` with `form` as the signed-in browser would send it (same origin).
async fn post_form(node: &Node, cookie: &str, path: &str, form: &[(&str, &str)]) -> Response {
    let response = node
        .http
        .post(node.url(path))
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, &node.base)
        .form(form)
        .send()
        .await
        .unwrap();
    Response::read(response).await
}

/// `GET path` with the cookie.
async fn get_page(node: &Node, cookie: &str, path: &str) -> Response {
    let response = node
        .http
        .get(node.url(path))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    Response::read(response).await
}

/// A response's status, redirect target and text.
struct Response {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Response {
    async fn read(response: reqwest::Response) -> Response {
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|value| value.to_str().unwrap().to_owned());
        Response {
            status,
            location,
            body: response.text().await.unwrap(),
        }
    }

    /// The text between `start` and the next `end` after it.
    fn between(&self, start: &str, end: &str) -> &str {
        let from = self.body.find(start).unwrap_or_else(|| {
            panic!("`{start}` not in {}", self.body);
        }) + start.len();
        let len = self.body[from..].find(end).unwrap();
        &self.body[from..from + len]
    }
}

#[tokio::test]
async fn sign_in_refuses_a_wrong_token_and_sets_a_strict_cookie() {
    let node = Node::start().await;

    // Pages of both roles send a browser without the cookie to the sign-in page.
    for path in ["/portal/issuer", "/portal/verifier"] {
        let page = get_page(&node, "", path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location.as_deref(), Some("/portal/login"), "{path}");
    }
    let form = get_page(&node, "", "/portal/login").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("admin-token") && form.body.contains("SAIFU_ADMIN_TOKEN"));
    let home = get_page(&node, "", "/").await;
    assert!(home.body.contains(r#"href="/portal/issuer""#));
    assert!(home.body.contains(r#"href="/portal/verifier""#));

    // A wrong token: the form again with the reason, 401, no cookie.
    let wrong = node
        .http
        .post(node.url("/portal/login"))
        .form(&[("token", "not-the-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(header::SET_COOKIE).is_none());
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("not this node's admin token")
    );

    // The right token: a cookie the page scripts cannot read, never sent cross-site, only to
    // the portal, and not the token itself.
    let accepted = node
        .http
        .post(node.url("/portal/login"))
        .form(&[("token", node.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert_eq!(accepted.headers()[header::LOCATION], "/portal/issuer");
    let set_cookie = accepted.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.starts_with("saifu_admin="), "{set_cookie}");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/portal"] {
        assert!(set_cookie.contains(flag), "{flag} missing: {set_cookie}");
    }
    assert!(!set_cookie.contains(&node.token));
    let cookie = set_cookie.split(';').next().unwrap();

    let page = get_page(&node, cookie, "/portal/issuer").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Issued credentials"));
    let forged = get_page(&node, "saifu_admin=forged", "/portal/issuer").await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);

    // Signing out clears the cookie.
    let out = post_form(&node, cookie, "/portal/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location.as_deref(), Some("/portal/login"));
}

#[tokio::test]
async fn a_form_post_from_another_origin_is_refused_and_changes_nothing() {
    let node = Node::start().await;
    let cookie = sign_in(&node).await;
    let form = [
        ("id", "mallory"),
        ("claim_name", "given_name"),
        ("claim_value", "M"),
    ];
    let foreign = node
        .http
        .post(node.url("/portal/issuer/subjects"))
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert!(foreign.text().await.unwrap().contains("another website"));
    let (status, _) = node
        .admin(Method::GET, "/admin/subjects/mallory", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Signing in from another site is refused too (no login CSRF).
    let login = node
        .http
        .post(node.url("/portal/login"))
        .header(header::ORIGIN, "http://localhost.evil.example")
        .form(&[("token", node.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    assert!(login.headers().get(header::SET_COOKIE).is_none());

    // The same form from the node's own origin goes through.
    let own = post_form(&node, &cookie, "/portal/issuer/subjects", &form).await;
    assert_eq!(own.status, StatusCode::SEE_OTHER);
    let (status, _) = node
        .admin(Method::GET, "/admin/subjects/mallory", None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn subjects_offers_and_revocation_through_the_issuer_forms() {
    let node = Node::start().await;
    let cookie = sign_in(&node).await;

    // A person from claim rows and JSON; `true` becomes a yes/no value.
    let added = post_form(
        &node,
        &cookie,
        "/portal/issuer/subjects",
        &[
            ("id", "s1001"),
            ("claim_name", "given_name"),
            ("claim_value", "Hanako"),
            ("claim_name", "degree"),
            ("claim_value", "BSc"),
            ("claim_name", "age_over_18"),
            ("claim_value", "true"),
            ("claim_name", "family_name"),
            ("claim_value", ""),
            ("claims_json", r#"{"address": {"locality": "Tokyo"}}"#),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(
        added.location.as_deref(),
        Some("/portal/issuer?notice=saved")
    );
    let (_, subject) = node.admin(Method::GET, "/admin/subjects/s1001", None).await;
    assert_eq!(
        subject["claims"],
        json!({"address": {"locality": "Tokyo"}, "given_name": "Hanako", "degree": "BSc",
               "age_over_18": true})
    );

    // Refusals say why, with their status, and store nothing.
    let bad_id = post_form(&node, &cookie, "/portal/issuer/subjects", &[("id", "a b")]).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert!(bad_id.body.contains("must be 1–128 characters"));
    let bad_json = post_form(
        &node,
        &cookie,
        "/portal/issuer/subjects",
        &[("id", "s9"), ("claims_json", "[1]")],
    )
    .await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST);
    assert!(bad_json.body.contains("not a JSON object"));
    let (status, _) = node.admin(Method::GET, "/admin/subjects/s9", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A pasted CSV.
    let csv = "id,given_name,family_name\ns1002,Taro,Yamada\ns1003,Jiro,Suzuki\n";
    let imported = post_form(
        &node,
        &cookie,
        "/portal/issuer/subjects/import",
        &[("csv", csv)],
    )
    .await;
    assert_eq!(
        imported.location.as_deref(),
        Some("/portal/issuer?notice=imported")
    );
    let (_, taro) = node.admin(Method::GET, "/admin/subjects/s1002", None).await;
    assert_eq!(taro["claims"]["family_name"], "Yamada");
    let no_id = post_form(
        &node,
        &cookie,
        "/portal/issuer/subjects/import",
        &[("csv", "name\nx\n")],
    )
    .await;
    assert_eq!(no_id.status, StatusCode::BAD_REQUEST);
    assert!(no_id.body.contains("no `id` column"));

    // An offer with a PIN: QR code, link and PIN on the page; a wallet collects it.
    let offer = post_form(
        &node,
        &cookie,
        "/portal/issuer/offers",
        &[
            ("subject", "s1001"),
            ("credential", "diploma"),
            ("pin", "on"),
        ],
    )
    .await;
    assert_eq!(offer.status, StatusCode::OK);
    assert!(
        offer
            .between(r#"<div class="qr">"#, "</div>")
            .contains("<svg")
    );
    let pin = offer
        .between(r#"<p class="pin" id="offer-pin">"#, "</p>")
        .to_owned();
    assert!(
        pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()),
        "{pin}"
    );
    assert!(offer.body.contains("Send the PIN separately"));
    let link = url::Url::parse(offer.between(
        r#"<textarea id="offer-link" readonly rows="3">"#,
        "</textarea>",
    ))
    .unwrap();
    assert_eq!(link.scheme(), "openid-credential-offer");
    let (_, offer_uri) = link
        .query_pairs()
        .find(|(name, _)| name == "credential_offer_uri")
        .expect("an offer by reference");
    let index = node.collect(&offer_uri, &pin).await;
    let unknown = post_form(
        &node,
        &cookie,
        "/portal/issuer/offers",
        &[("subject", "nobody"), ("credential", "diploma")],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("no subject `nobody`"));

    // The issued credential is listed; revoking it through its form reaches the admin API.
    let listed = get_page(&node, &cookie, "/portal/issuer").await;
    let row = listed.between(&format!(r#"<tr data-index="{index}">"#), "</tr>");
    assert!(row.contains("s1001") && row.contains("University Diploma") && row.contains("valid"));
    assert!(row.contains("Revoke permanently"));
    assert!(listed.body.contains("Revoking is permanent"));
    let revoke = format!("/portal/issuer/credentials/{index}/revoke");
    let revoked = post_form(&node, &cookie, &revoke, &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        revoked.location.as_deref(),
        Some("/portal/issuer?notice=revoked")
    );
    assert_eq!(node.credential_status(index).await, "revoked");

    // What cannot be done is refused with its status, and changes nothing.
    let reinstate = format!("/portal/issuer/credentials/{index}/reinstate");
    let conflict = post_form(&node, &cookie, &reinstate, &[]).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(conflict.body.contains("is revoked; cannot reinstate it"));
    let unknown_action = post_form(
        &node,
        &cookie,
        &format!("/portal/issuer/credentials/{index}/delete"),
        &[],
    )
    .await;
    assert_eq!(unknown_action.status, StatusCode::NOT_FOUND);
    assert_eq!(node.credential_status(index).await, "revoked");
}

#[tokio::test]
async fn a_verifier_template_creates_a_session_shown_as_a_qr_code() {
    let node = Node::start().await;
    let cookie = sign_in(&node).await;
    let form = get_page(&node, &cookie, "/portal/verifier").await;
    assert!(form.body.contains("Over 18") && form.body.contains("x509_san_dns"));

    let request = post_form(
        &node,
        &cookie,
        "/portal/verifier/requests",
        &[("template", "over18"), ("client_id_prefix", "redirect_uri")],
    )
    .await;
    assert_eq!(request.status, StatusCode::OK);
    assert!(
        request
            .between(r#"<div class="qr">"#, "</div>")
            .contains("<svg")
    );
    let link = request.between(
        r#"<textarea id="request-link" readonly rows="3">"#,
        "</textarea>",
    );
    let link = url::Url::parse(&link.replace("&amp;", "&")).unwrap();
    assert_eq!(link.scheme(), "openid4vp");
    let query: Value = link
        .query_pairs()
        .find(|(name, _)| name == "dcql_query")
        .map(|(_, query)| serde_json::from_str(&query).unwrap())
        .expect("a request by value");
    assert_eq!(
        query["credentials"][0]["meta"]["vct_values"][0],
        "urn:eudi:pid:1"
    );
    assert_eq!(
        query["credentials"][0]["claims"][0]["path"][0],
        "age_over_18"
    );

    // The session exists in the admin API; the pages show it as waiting.
    let result = request.between(r#"data-result=""#, r#"""#).to_owned();
    let id = result.strip_prefix("/portal/verifier/requests/").unwrap();
    let (status, session) = node
        .admin(Method::GET, &format!("/admin/presentations/{id}"), None)
        .await;
    assert_eq!(
        (status, session["status"].as_str()),
        (StatusCode::OK, Some("pending"))
    );
    let waiting = get_page(&node, &cookie, &result).await;
    assert!(waiting.body.contains("Waiting for the wallet"));
    let polled = get_page(&node, &cookie, &format!("{result}/status")).await;
    assert_eq!(
        serde_json::from_str::<Value>(&polled.body).unwrap(),
        json!({"status": "pending"})
    );
    let missing = get_page(&node, &cookie, "/portal/verifier/requests/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // A signed request goes by reference.
    let signed = post_form(
        &node,
        &cookie,
        "/portal/verifier/requests",
        &[
            ("template", "diploma"),
            ("client_id_prefix", "x509_san_dns"),
        ],
    )
    .await;
    assert_eq!(signed.status, StatusCode::OK);
    assert!(signed.body.contains("request_uri="));

    // Refusals: a pasted query that is not JSON, one that is not DCQL, an unknown prefix.
    for (form, reason) in [
        (
            [
                ("template", "custom"),
                ("dcql", "{"),
                ("client_id_prefix", "redirect_uri"),
            ],
            "not valid JSON",
        ),
        (
            [
                ("template", "custom"),
                ("dcql", "{}"),
                ("client_id_prefix", "redirect_uri"),
            ],
            "invalid dcql_query",
        ),
        (
            [
                ("template", "over18"),
                ("dcql", ""),
                ("client_id_prefix", "https"),
            ],
            "unknown way to identify",
        ),
    ] {
        let refused = post_form(&node, &cookie, "/portal/verifier/requests", &form).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{reason}");
        assert!(refused.body.contains(reason), "{reason}: {}", refused.body);
    }
}
