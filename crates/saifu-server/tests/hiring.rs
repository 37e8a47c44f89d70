//! The "zero waiting time" hiring case across two nodes: a university node issues a diploma; an
//! employer node, configured to trust that university for diplomas, verifies a presentation of
//! it over OpenID4VP (issuer key from the university's JWT VC Issuer Metadata, status list
//! fetched from the university); after the university revokes the diploma the employer refuses
//! it. A third node trusting no one refuses it too.

use std::time::{SystemTime, UNIX_EPOCH};

use saifu_credential::sd_jwt::{ClaimPath, KeyBindingRequest, Limits, SdJwt};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, jws};
use saifu_server::{Config, ConfigLayer, Server, TrustedIssuerSettings, VerifierSettings};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

const DIPLOMA: &str = "https://saifu.dev/vct/diploma";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A node on loopback with `verifier` settings; dropping it stops it.
struct Node {
    base: String,
    token: String,
    http: reqwest::Client,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

impl Node {
    async fn start(verifier: VerifierSettings) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let flags = ConfigLayer {
            port: Some(0),
            data_dir: Some(dir.path().to_path_buf()),
            verifier: Some(verifier),
            ..ConfigLayer::default()
        };
        let server = Server::bind(&Config::load(None, |_| None, flags).unwrap())
            .await
            .unwrap();
        let base = format!("http://{}", server.local_addr());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Node {
            base,
            token: saifu_server::read_admin_token(dir.path()).unwrap(),
            http: reqwest::Client::new(),
            _stop: stop,
            _dir: dir,
        }
    }

    async fn admin(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    async fn get_admin(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.base);
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    }

    /// Issues a diploma to a fresh holder key; the credential and the key.
    async fn issue_diploma(&self) -> (String, LocalSigner) {
        let created = self
            .admin(
                "/admin/offers",
                json!({"credential_configuration_id": "diploma",
                       "claims": {"given_name": "Hanako", "family_name": "Sato",
                                  "university": "Saifu University", "degree": "BSc"}}),
            )
            .await;
        let code = created["credential_offer"]["grants"]
            ["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
            .as_str()
            .unwrap();
        let token: Value = self
            .http
            .post(format!("{}/token", self.base))
            .form(&[
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                ),
                ("pre-authorized_code", code),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let nonce: Value = self
            .http
            .post(format!("{}/nonce", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let holder = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap()).unwrap();
        let mut header = Map::new();
        header.insert("typ".into(), "openid4vci-proof+jwt".into());
        header.insert(
            "jwk".into(),
            serde_json::to_value(holder.private_key().public_key().to_jwk()).unwrap(),
        );
        let claims = json!({"aud": self.base, "iat": now(), "nonce": nonce["c_nonce"]});
        let proof = jws::sign_compact(&header, &serde_json::to_vec(&claims).unwrap(), &holder)
            .await
            .unwrap();
        let issued: Value = self
            .http
            .post(format!("{}/credential", self.base))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .json(&json!({"credential_configuration_id": "diploma", "proofs": {"jwt": [proof]}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let credential = issued["credentials"][0]["credential"].as_str().unwrap();
        (credential.to_owned(), holder)
    }

    /// Asks for a diploma's degree, answers with `credential` disclosing only the degree, and
    /// returns the verification report.
    async fn verify_diploma(&self, credential: &str, holder: &LocalSigner) -> Value {
        let query = json!({"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
            "meta": {"vct_values": [DIPLOMA]}, "claims": [{"path": ["degree"]}]}]});
        let created = self
            .admin("/admin/presentations", json!({"dcql_query": query}))
            .await;
        let request = &created["request"];
        let sd_jwt = SdJwt::parse_compact(credential, &Limits::default()).unwrap();
        let binding = KeyBindingRequest {
            audience: request["client_id"].as_str().unwrap(),
            nonce: request["nonce"].as_str().unwrap(),
            issued_at: now(),
        };
        let degree: ClaimPath = "/degree".parse().unwrap();
        let presentation = sd_jwt
            .present_with_key_binding(&[degree], &binding, holder)
            .await
            .unwrap()
            .to_compact();
        let vp_token = json!({"diploma": [presentation]}).to_string();
        let response_uri = request["response_uri"].as_str().unwrap();
        self.http
            .post(response_uri)
            .form(&[
                ("vp_token", vp_token.as_str()),
                ("state", request["state"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap();
        self.get_admin(&format!("/admin/presentations/{id}")).await["report"].clone()
    }
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` check in {report}"))
}

#[tokio::test]
async fn an_employer_trusts_a_university_it_was_told_to_trust_until_it_revokes() {
    let university = Node::start(VerifierSettings::default()).await;
    let trusting = VerifierSettings {
        trust_own_issuer: false,
        trusted_issuers: vec![TrustedIssuerSettings {
            issuer: university.base.clone(),
            vct: Some(vec![DIPLOMA.into()]),
            jwk: None,
        }],
        ..VerifierSettings::default()
    };
    let employer = Node::start(trusting).await;
    let stranger = Node::start(VerifierSettings {
        trust_own_issuer: false,
        ..VerifierSettings::default()
    })
    .await;

    let (credential, holder) = university.issue_diploma().await;
    let report = employer.verify_diploma(&credential, &holder).await;
    assert_eq!(report["verified"], true, "{report}");
    let diploma = &report["credentials"]["diploma"][0];
    assert_eq!(diploma["issuer"], university.base.as_str());
    assert_eq!(diploma["claims"]["degree"], "BSc");
    assert!(
        diploma["claims"].get("given_name").is_none(),
        "only the degree was asked for and shown"
    );
    assert_eq!(check(&report, "status")["outcome"], "passed");

    let refused = stranger.verify_diploma(&credential, &holder).await;
    assert_eq!(refused["verified"], false);
    assert_eq!(check(&refused, "trust")["outcome"], "failed", "{refused}");

    let listed = university.get_admin("/admin/credentials").await;
    let index = listed["credentials"][0]["status_index"].as_i64().unwrap();
    university
        .admin(&format!("/admin/credentials/{index}/revoke"), json!({}))
        .await;
    // A fresh employer node (an empty status cache) sees the revocation at once.
    let fresh = Node::start(VerifierSettings {
        trust_own_issuer: false,
        trusted_issuers: vec![TrustedIssuerSettings {
            issuer: university.base.clone(),
            vct: None,
            jwk: None,
        }],
        ..VerifierSettings::default()
    })
    .await;
    let revoked = fresh.verify_diploma(&credential, &holder).await;
    assert_eq!(revoked["verified"], false, "{revoked}");
    let status = check(&revoked, "status");
    assert_eq!(status["outcome"], "failed");
    assert!(
        status["reason"].as_str().unwrap().contains("INVALID")
            || status["reason"].as_str().unwrap().contains("revoked"),
        "{status}"
    );
}
