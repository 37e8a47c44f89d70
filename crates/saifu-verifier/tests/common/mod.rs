//! The world the verifier tests run in: a PID issuer identified by did:key, a university with a
//! pinned key, an issuer publishing JWT VC Issuer Metadata, a holder, a real Token Status List
//! provider on 127.0.0.1, and the verifier wired to the real DID resolver, metadata client and
//! status list fetcher.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use saifu_credential::sd_jwt::{ClaimPath, KeyBindingRequest, SdJwt};
use saifu_credential::sd_jwt_vc::VcIssuance;
use saifu_credential::status::token::jwt;
use saifu_credential::status::{
    Bits, FetchConfig, ReferenceOptions, StatusList, StatusListFetcher, StatusListToken,
    StatusReference, StatusValue,
};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, Signer};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::{Resolver, ResolverConfig};
use saifu_oid4vc::dcql::{DcqlQuery, Limits};
use saifu_verifier::{
    IssuerKeys, PresentationRequest, TrustEntry, TrustList, TrustedIssuer, VctFilter, Verifier,
    VerifierConfig,
};
use serde_json::{Map, Value, json};

/// The verifier's clock and the time everything is issued at.
pub const NOW: i64 = 1_900_000_000;
pub const CLIENT_ID: &str = "redirect_uri:https://verifier.example/cb";
pub const NONCE: &str = "n-0S6_WzA2Mj";
pub const PID_VCT: &str = "urn:eudi:pid:1";
pub const DEGREE_VCT: &str = "https://university.example/degree";
pub const UNIVERSITY: &str = "https://university.example";

/// Status list indexes: valid, revoked, suspended.
pub const VALID: u64 = 0;
pub const REVOKED: u64 = 1;
pub const SUSPENDED: u64 = 2;

pub struct World {
    pub pid_issuer: LocalSigner,
    pub pid_did: String,
    pub university: LocalSigner,
    /// An issuer whose key is published as JWT VC Issuer Metadata at `metadata_iss`.
    pub metadata_issuer: LocalSigner,
    pub metadata_iss: String,
    pub holder: LocalSigner,
    pub status_uri: String,
    pub verifier: Verifier,
}

pub fn signer(key_type: KeyType) -> LocalSigner {
    LocalSigner::new(PrivateKey::generate(key_type).expect("key")).expect("signer")
}

fn loopback_client() -> HttpClient {
    HttpClient::new(HttpConfig {
        allow_private: true,
        allow_http: true,
        ..HttpConfig::default()
    })
    .expect("client")
}

/// What the provider on 127.0.0.1 serves.
struct Provider {
    status_signer: LocalSigner,
    status_uri: String,
    issuer_metadata: Value,
}

/// A signed `statuslist+jwt` whose `sub` is its own URL.
async fn status_list(State(p): State<Arc<Provider>>) -> impl IntoResponse {
    let mut list = StatusList::new(Bits::Two, 16);
    list.set(REVOKED, StatusValue::Invalid).expect("set");
    list.set(SUSPENDED, StatusValue::Suspended).expect("set");
    let token = StatusListToken::new(p.status_uri.clone(), NOW, list);
    let token = jwt::sign(&token, &p.status_signer)
        .await
        .expect("sign list");
    (
        [(header::CONTENT_TYPE, "application/statuslist+jwt")],
        token,
    )
}

/// JWT VC Issuer Metadata (SD-JWT VC -18 §3) of the issuer at the provider's origin.
async fn issuer_metadata(State(p): State<Arc<Provider>>) -> impl IntoResponse {
    axum::Json(p.issuer_metadata.clone())
}

/// Starts the provider: a Token Status List at `/lists/1` signed by `status_signer`, and JWT VC
/// Issuer Metadata publishing `metadata_issuer`'s key for the origin. Returns (origin, list URI).
async fn provider(status_signer: LocalSigner, metadata_issuer: &LocalSigner) -> (String, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let status_uri = format!("{origin}/lists/1");
    let provider = Provider {
        status_signer,
        status_uri: status_uri.clone(),
        issuer_metadata: json!({
            "issuer": origin,
            "jwks": {"keys": [metadata_issuer.public_key().to_jwk()]},
        }),
    };
    let app = Router::new()
        .route("/lists/1", get(status_list))
        .route("/.well-known/jwt-vc-issuer", get(issuer_metadata))
        .with_state(Arc::new(provider));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (origin, status_uri)
}

pub async fn world() -> World {
    let pid_issuer = signer(KeyType::Ed25519);
    let pid_did = saifu_did::key::did_key(pid_issuer.public_key()).to_string();
    let university = signer(KeyType::P256);
    let metadata_issuer = signer(KeyType::Ed25519);
    let status_signer = signer(KeyType::Ed25519);
    let status_key = status_signer.public_key().clone();
    let (metadata_iss, status_uri) = provider(status_signer, &metadata_issuer).await;
    let trust = TrustList::new(vec![
        TrustEntry {
            issuer: TrustedIssuer::Did(pid_did.clone()),
            vct: VctFilter::Only(vec![PID_VCT.into()]),
        },
        TrustEntry {
            issuer: TrustedIssuer::PinnedJwk {
                iss: UNIVERSITY.into(),
                jwk: Box::new(university.public_key().to_jwk()),
            },
            vct: VctFilter::Only(vec![DEGREE_VCT.into()]),
        },
        TrustEntry {
            issuer: TrustedIssuer::Metadata(metadata_iss.clone()),
            vct: VctFilter::Any,
        },
    ]);
    let keys = trust.pinned_keys().expect("pinned keys").into_iter().fold(
        IssuerKeys::new()
            .with_did_resolver(Resolver::new(loopback_client(), ResolverConfig::default()))
            .with_metadata_client(loopback_client()),
        |keys, (iss, key)| keys.with_pinned(iss, key),
    );
    let fetcher = StatusListFetcher::new(
        Arc::new(loopback_client()),
        Arc::new(status_key),
        FetchConfig::default(),
    );
    let config = VerifierConfig {
        status_references: ReferenceOptions { allow_http: true },
        ..VerifierConfig::default()
    };
    let verifier = Verifier::new(keys, Arc::new(trust), Arc::new(fetcher), config);
    World {
        pid_issuer,
        pid_did,
        university,
        metadata_issuer,
        metadata_iss,
        holder: signer(KeyType::P256),
        status_uri,
        verifier,
    }
}

pub fn path(pointer: &str) -> ClaimPath {
    pointer.parse().expect("path")
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().expect("object").clone()
}

/// A credential being issued: the claims are all selectively disclosable.
pub struct Issue<'a> {
    pub vct: &'a str,
    pub claims: Value,
    pub exp: i64,
    pub status_idx: Option<u64>,
}

impl World {
    pub fn pid(&self) -> Issue<'static> {
        Issue {
            vct: PID_VCT,
            claims: json!({"given_name": "Erika", "family_name": "Mustermann", "birthdate": "1963-08-12"}),
            exp: NOW + 3600,
            status_idx: Some(VALID),
        }
    }

    pub fn degree(&self) -> Issue<'static> {
        Issue {
            vct: DEGREE_VCT,
            claims: json!({"degree": "MSc Computer Science", "grade": "1.3"}),
            exp: NOW + 3600,
            status_idx: None,
        }
    }

    /// Issues `issue` as `iss` signed by `signer` (with `kid` = its first did:key method when
    /// `iss` is a DID).
    pub async fn issue(&self, issue: Issue<'_>, iss: &str, signer: &LocalSigner) -> SdJwt {
        let claims = object(issue.claims);
        let disclosable: Vec<ClaimPath> = claims.keys().map(|k| path(&format!("/{k}"))).collect();
        let mut vc = VcIssuance::new(issue.vct, claims)
            .issuer(iss)
            .validity(Some(NOW - 600), None, Some(issue.exp))
            .holder_key(&self.holder.public_key().to_jwk());
        if let Some(did) = iss.strip_prefix("did:key:") {
            vc = vc.key_id(&format!("{iss}#{did}"));
        }
        if let Some(idx) = issue.status_idx {
            let reference =
                StatusReference::new(idx, &self.status_uri, ReferenceOptions { allow_http: true })
                    .expect("reference");
            vc = vc.status(&reference);
        }
        disclosable
            .into_iter()
            .fold(vc, VcIssuance::disclosable)
            .sign(signer)
            .await
            .expect("issue")
    }

    pub async fn issue_pid(&self, issue: Issue<'_>) -> SdJwt {
        self.issue(issue, &self.pid_did, &self.pid_issuer).await
    }

    pub async fn issue_degree(&self, issue: Issue<'_>) -> SdJwt {
        self.issue(issue, UNIVERSITY, &self.university).await
    }

    /// The compact presentation of `sd_jwt` disclosing `pointers`, bound to `binding`.
    pub async fn present(
        &self,
        sd_jwt: &SdJwt,
        pointers: &[&str],
        binding: &KeyBindingRequest<'_>,
    ) -> String {
        let paths: Vec<ClaimPath> = pointers.iter().map(|p| path(p)).collect();
        sd_jwt
            .present_with_key_binding(&paths, binding, &self.holder)
            .await
            .expect("present")
            .to_compact()
    }
}

/// The key binding the request asks for.
pub fn binding() -> KeyBindingRequest<'static> {
    KeyBindingRequest {
        audience: CLIENT_ID,
        nonce: NONCE,
        issued_at: NOW,
    }
}

/// PID (given name and birthdate) and a degree are required; an e-mail is optional.
pub fn request() -> PresentationRequest {
    request_with(json!({
        "credentials": [
            {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [PID_VCT]},
             "claims": [{"path": ["given_name"]}, {"path": ["birthdate"]}]},
            {"id": "degree", "format": "dc+sd-jwt", "meta": {"vct_values": [DEGREE_VCT]},
             "claims": [{"path": ["degree"]}]},
            {"id": "email", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:example:email"]}}
        ],
        "credential_sets": [
            {"options": [["pid", "degree"]]},
            {"options": [["email"]], "required": false}
        ]
    }))
}

pub fn request_with(dcql: Value) -> PresentationRequest {
    PresentationRequest {
        client_id: CLIENT_ID.into(),
        nonce: NONCE.into(),
        dcql: DcqlQuery::from_json(&dcql, &Limits::default()).expect("query"),
        issued_at: NOW - 60,
        expires_at: NOW + 300,
    }
}
