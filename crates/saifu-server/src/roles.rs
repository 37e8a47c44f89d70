//! Assembling a node's roles from its configuration: the admin token, the issuer with its key
//! and credential types, the verifier with its trust list and request signers. Kept apart from binding and serving so each is readable on its own.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use saifu_credential::status::{FetchConfig, ReferenceOptions, StatusListFetcher};
use saifu_crypto::{Jwk, LocalSigner, PrivateKey, PublicKey};
use saifu_did::http::{HttpClient, HttpConfig};
use saifu_did::{Resolver, ResolverConfig};
use saifu_issuer::{
    Issuer, IssuerConfig, MAX_STATUS_LIST_ENTRIES, MIN_STATUS_LIST_ENTRIES, STATUS_LIST_ENTRIES,
};
use saifu_store::Store;
use saifu_store::verifier::VerifierSessions;
use saifu_verifier::client::{DidIdentity, RequestSigners};
use saifu_verifier::x509::DevelopmentCa;
use saifu_verifier::{
    IssuerKeys, RegistryTrust, TrustEntry, TrustList, TrustPolicy, TrustedIssuer,
    TrustedStatusKeys, VctFilter, Verifier, VerifierConfig,
};

use axum::Router;
use saifu_registry::did_host::DidHost;
use saifu_registry::note::{NoteKeyKind, NoteSigner};
use saifu_registry::sequencer::{Sequencer, SequencerConfig};
use saifu_registry::trust::AssuranceLevel;
use saifu_wallet::WalletConfig;

use crate::issuer::IssuerRole;
use crate::node_files::{self, NodeFileError};
use crate::registry_service::RegistryService;
use crate::settings::{
    CredentialSettings, IssuerSettings, RegistrySettings, TrustedIssuerSettings, VerifierSettings,
};
use crate::vc_api::{VcApi, VcApiError};
use crate::verifier::VerifierRole;
use crate::wallet_web::WebWallet;
use crate::{AppState, Config};

/// How long access tokens and nonces stay valid, in seconds.
const TOKEN_TTL: i64 = 300;

/// Why the roles could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    /// A file in the data directory could not be read or created.
    #[error(transparent)]
    NodeFile(#[from] NodeFileError),
    /// The verifier's request signing or status checking could not be set up.
    #[error("the verifier could not be set up: {0}")]
    Verifier(String),
    /// A `[[verifier.trusted_issuers]]` entry is unusable.
    #[error("trusted issuer {issuer}: {why}")]
    TrustedIssuer {
        /// The entry's `issuer`.
        issuer: String,
        /// What is wrong with it.
        why: String,
    },
    /// The issuer key cannot sign.
    #[error("the issuer key cannot sign: {0}")]
    IssuerKey(String),
    /// `[issuer] status_list_size` is out of range.
    #[error(
        "[issuer] status_list_size = {0}: a status list has between {MIN_STATUS_LIST_ENTRIES} \
         and {MAX_STATUS_LIST_ENTRIES} entries (the default, {STATUS_LIST_ENTRIES}, is what \
         Token Status List privacy asks for)"
    )]
    StatusListSize(u64),
    /// The registry could not be set up.
    #[error("registry: {0}")]
    Registry(String),
    /// The VC-API could not be set up.
    #[error("VC-API: {0}")]
    VcApi(#[from] VcApiError),
    /// The witness role could not be set up.
    #[error("witness: {0}")]
    Witness(String),
}

/// The state of a node reachable at `base_url`, with every role its configuration enables;
/// `own_ca` is the node's self-signed CA (DER) when it serves `--tls-self-signed`.
pub(crate) fn app_state(
    config: &Config,
    store: Store,
    base_url: &str,
    own_ca: Option<&[u8]>,
) -> Result<AppState, RoleError> {
    let admin_token = match &config.admin_token {
        Some(token) => token.clone(),
        None => node_files::admin_token(&config.data_dir)?,
    };
    let mut state = AppState::new(store.clone());
    let issuer_key = node_files::issuer_key(&config.data_dir)?;
    let registry = if config.registry.enabled {
        let (service, routes) = registry(
            &config.registry,
            &config.data_dir,
            base_url,
            store.clone(),
            admin_token.clone(),
        )?;
        state = state.with_registry(routes);
        Some(service)
    } else {
        None
    };
    if config.verifier.enabled {
        let role = verifier(
            &config.verifier,
            &config.data_dir,
            base_url,
            issuer_key.public_key(),
            store.clone(),
            admin_token.clone(),
            registry.clone(),
        )?;
        state = state.with_verifier(role.with_registry(registry.clone()));
    }
    if config.vc_api.enabled {
        let api = vc_api(config, base_url, own_ca, store.clone(), admin_token.clone())?;
        state = state.with_vc_api(api);
    }
    if config.issuer.enabled {
        let issuer = issuer(&config.issuer, issuer_key, base_url, store.clone())?;
        state = state.with_issuer(IssuerRole::new(issuer, admin_token).with_registry(registry));
    }
    if config.wallet.enabled {
        state = state.with_wallet(web_wallet(&config.data_dir, base_url));
    }
    if config.witness.enabled {
        let settings = &config.witness;
        let logs = crate::witness::witnessed_logs(&settings.logs)?;
        let (witness, verifier_key) =
            crate::witness::open(&config.data_dir, &settings.name, logs, store)?;
        tracing::info!(%verifier_key, "witness role on: POST /witness/add-checkpoint");
        state = state.with_witness(crate::witness::routes(witness, verifier_key));
    }
    Ok(state)
}

/// The SSRF-safe outbound client: a node on plain http is a development node whose issuers,
/// DIDs and status lists are on loopback or the local network; over https, public-only.
fn outbound(base_url: &str) -> Result<HttpClient, RoleError> {
    let development = base_url.starts_with("http://");
    HttpClient::new(HttpConfig {
        allow_private: development,
        allow_http: development,
        ..HttpConfig::default()
    })
    .map_err(|e| RoleError::Verifier(e.to_string()))
}

/// The registry's transparency log, named after the node's host (`host[:port]/registry`, the
/// C2SP origin form), its checkpoints signed with Ed25519 and ML-DSA-44 keys kept in the data
/// directory. Its sequencer runs on this node as long as it holds the database lease, and
/// gathers cosignatures from the configured witnesses. The node also hosts did:webvh logs
/// under `/dids/`, each entry appended to this log.
fn registry(
    settings: &RegistrySettings,
    data_dir: &Path,
    base_url: &str,
    store: Store,
    admin_token: String,
) -> Result<(Arc<RegistryService>, Router<AppState>), RoleError> {
    let url = url::Url::parse(base_url).map_err(|e| RoleError::Registry(e.to_string()))?;
    let host = url.host_str().unwrap_or("localhost");
    let origin = match url.port() {
        Some(port) => format!("{host}:{port}/registry"),
        None => format!("{host}/registry"),
    };
    let signer = |key: PrivateKey, kind: NoteKeyKind| {
        let local = LocalSigner::new(key).map_err(|e| RoleError::Registry(e.to_string()))?;
        NoteSigner::new(&origin, kind, Arc::new(local))
            .map_err(|e| RoleError::Registry(e.to_string()))
    };
    let signers = vec![
        signer(node_files::registry_key(data_dir)?, NoteKeyKind::Ed25519)?,
        signer(node_files::registry_pq_key(data_dir)?, NoteKeyKind::MlDsa44)?,
    ];
    let verifier_keys: Vec<String> = signers.iter().map(|s| s.verifier().vkey()).collect();
    let store = Arc::new(store);
    let sequencer = Sequencer::start(
        store.clone(),
        SequencerConfig {
            origin: origin.clone(),
            holder: random_holder(),
            max_batch: 4096,
            lease: Duration::from_secs(10),
            signers,
        },
    );
    crate::registry_witness::start(settings, store.clone(), &origin, &sequencer)?;
    let resolver = Resolver::new(outbound(base_url)?, ResolverConfig::default());
    let witnessed = !settings.witnesses.is_empty();
    let dids = DidHost::new(store.clone(), sequencer.clone(), url.clone());
    let service = Arc::new(RegistryService::new(
        store, &origin, sequencer, resolver, witnessed,
    ));
    let routes = crate::registry::router(service.clone(), &verifier_keys, admin_token.clone())
        .merge(crate::did_host::router(dids, &origin, admin_token));
    Ok((service, routes))
}

/// A lease holder id unique to this process.
fn random_holder() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

/// The VC-API. Its status list fetches follow the verifier's rule (a plain-http node is a
/// development node that may reach loopback); a `--tls-self-signed` node is one too, and also
/// trusts its own CA, so it can fetch its own lists.
fn vc_api(
    config: &Config,
    base_url: &str,
    own_ca: Option<&[u8]>,
    store: Store,
    admin_token: String,
) -> Result<VcApi, RoleError> {
    let development = base_url.starts_with("http://");
    let http = HttpClient::with_roots(
        HttpConfig {
            allow_private: development || own_ca.is_some(),
            allow_http: development,
            ..HttpConfig::default()
        },
        own_ca.as_slice(),
    )
    .map_err(|e| RoleError::Verifier(e.to_string()))?;
    Ok(VcApi::new(
        &config.vc_api,
        &config.data_dir,
        base_url,
        store,
        http,
        admin_token,
    )?)
}

/// The web wallet: wallet files under `wallets/` in the data directory; on a development node
/// (plain http) it may reach issuers and verifiers on loopback and the local network.
fn web_wallet(data_dir: &Path, base_url: &str) -> WebWallet {
    let config = if base_url.starts_with("http://") {
        WalletConfig::development()
    } else {
        WalletConfig::default()
    };
    let origin = url::Url::parse(base_url)
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_else(|_| base_url.to_owned());
    WebWallet::new(data_dir.join("wallets"), config, origin)
}

/// The verifier: it trusts this node's own issuer (when configured to) for every credential
/// type, checks its status list, and signs request objects as `x509_san_dns:` (a development
/// CA made at start for the node's host) and `decentralized_identifier:` (a did:jwk whose key
/// is kept in the data directory).
fn verifier(
    settings: &VerifierSettings,
    data_dir: &Path,
    base_url: &str,
    own_issuer_key: &PublicKey,
    store: Store,
    admin_token: String,
    registry: Option<Arc<RegistryService>>,
) -> Result<VerifierRole, RoleError> {
    let own_issuer = settings
        .trust_own_issuer
        .then_some((base_url, own_issuer_key));
    let list = Arc::new(trust_list(&settings.trusted_issuers, own_issuer)?);
    let trust = trust_policy(settings, list.clone(), registry)?;
    let development = base_url.starts_with("http://");
    let http = outbound(base_url)?;
    let webhook_client = http.clone();
    let keys = list
        .pinned_keys()
        .map_err(|e| RoleError::Verifier(e.to_string()))?
        .into_iter()
        .fold(IssuerKeys::new(), |keys, (iss, key)| {
            keys.with_pinned(iss, key)
        })
        .with_did_resolver(Resolver::new(http.clone(), ResolverConfig::default()))
        .with_metadata_client(http.clone());
    let status = StatusListFetcher::new(
        Arc::new(http),
        Arc::new(TrustedStatusKeys::new(keys.clone(), trust.clone())),
        FetchConfig::default(),
    );
    let config = VerifierConfig {
        status_references: ReferenceOptions {
            allow_http: development,
        },
        ..VerifierConfig::default()
    };
    let verifier = Verifier::new(keys, trust, Arc::new(status), config)
        .with_bitstring_status(webhook_client.clone(), settings.w3c_status_cache_seconds);
    let host = url::Url::parse(base_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".into());
    let ca = DevelopmentCa::generate(&host).map_err(|e| RoleError::Verifier(e.to_string()))?;
    let did_key = node_files::verifier_key(data_dir)?;
    let did = DidIdentity::did_jwk(did_key).map_err(|e| RoleError::Verifier(e.to_string()))?;
    let signers = RequestSigners::default()
        .with_x509(ca.identity)
        .with_did(did);
    let sessions = VerifierSessions::new(store);
    Ok(VerifierRole::new(
        sessions.clone(),
        Arc::new(verifier),
        signers,
        base_url,
        settings.session_ttl_seconds,
        admin_token,
    )
    .with_webhooks(sessions, webhook_client))
}

/// The verifier's trust policy: the trust list, and with `trust_registry` set, also the
/// issuers its authority authorizes in this node's registry.
fn trust_policy(
    settings: &VerifierSettings,
    list: Arc<TrustList>,
    registry: Option<Arc<RegistryService>>,
) -> Result<Arc<dyn TrustPolicy>, RoleError> {
    let Some(switch) = &settings.trust_registry else {
        return Ok(list);
    };
    let registry = registry.ok_or_else(|| {
        RoleError::Verifier(
            "verifier.trust_registry needs the registry role ([registry] enabled)".into(),
        )
    })?;
    let level = AssuranceLevel::parse(&switch.min_assurance).ok_or_else(|| {
        RoleError::Verifier(format!(
            "verifier.trust_registry.min_assurance {:?}: use low, substantial or high",
            switch.min_assurance
        ))
    })?;
    if !switch.authority.starts_with("did:") {
        return Err(RoleError::Verifier(format!(
            "verifier.trust_registry.authority {:?} must be a DID",
            switch.authority
        )));
    }
    Ok(Arc::new(RegistryTrust::new(
        list,
        &switch.authority,
        level,
        registry,
    )))
}

/// The trust list: the node's own issuer (`iss` and key) when given, and the configured ones.
fn trust_list(
    configured: &[TrustedIssuerSettings],
    own_issuer: Option<(&str, &PublicKey)>,
) -> Result<TrustList, RoleError> {
    let mut entries = Vec::new();
    if let Some((iss, key)) = own_issuer {
        entries.push(TrustEntry {
            issuer: TrustedIssuer::PinnedJwk {
                iss: iss.trim_end_matches('/').to_owned(),
                jwk: Box::new(key.to_jwk()),
            },
            vct: VctFilter::Any,
        });
        // Its W3C credentials name it by the did:key of the same key.
        entries.push(TrustEntry {
            issuer: TrustedIssuer::Did(saifu_oid4vc::w3c::did_key(key)),
            vct: VctFilter::Any,
        });
    }
    for settings in configured {
        let invalid = |why: String| RoleError::TrustedIssuer {
            issuer: settings.issuer.clone(),
            why,
        };
        let issuer = match (&settings.jwk, settings.issuer.starts_with("did:")) {
            (Some(jwk), _) => {
                let jwk: Jwk = serde_json::from_str(jwk).map_err(|e| invalid(e.to_string()))?;
                PublicKey::from_jwk(&jwk).map_err(|e| invalid(e.to_string()))?;
                TrustedIssuer::PinnedJwk {
                    iss: settings.issuer.clone(),
                    jwk: Box::new(jwk),
                }
            }
            (None, true) => TrustedIssuer::Did(settings.issuer.clone()),
            (None, false) => {
                url::Url::parse(&settings.issuer).map_err(|e| invalid(e.to_string()))?;
                TrustedIssuer::Metadata(settings.issuer.clone())
            }
        };
        let vct = settings.vct.clone().map_or(VctFilter::Any, VctFilter::Only);
        entries.push(TrustEntry { issuer, vct });
    }
    Ok(TrustList::new(entries))
}

fn issuer(
    settings: &IssuerSettings,
    key: PrivateKey,
    issuer_id: &str,
    store: Store,
) -> Result<Issuer<Store>, RoleError> {
    if !(MIN_STATUS_LIST_ENTRIES..=MAX_STATUS_LIST_ENTRIES).contains(&settings.status_list_size) {
        return Err(RoleError::StatusListSize(settings.status_list_size));
    }
    let kid = key
        .public_key()
        .to_jwk()
        .thumbprint()
        .map_err(|e| RoleError::IssuerKey(e.to_string()))?;
    let signer = LocalSigner::new(key)
        .map_err(|e| RoleError::IssuerKey(e.to_string()))?
        .with_key_id(kid);
    let config = IssuerConfig {
        issuer_id: issuer_id.trim_end_matches('/').to_owned(),
        signer,
        display_name: settings.name.clone(),
        credentials: settings
            .credentials
            .iter()
            .map(CredentialSettings::to_config)
            .collect(),
        offer_ttl: settings.offer_ttl_seconds,
        token_ttl: TOKEN_TTL,
        tx_code_attempts: settings.tx_code_attempts,
        batch_size: settings.batch_size,
        status_list_size: settings.status_list_size,
    };
    Ok(Issuer::new(config, store))
}
