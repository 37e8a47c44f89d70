//! Assembling a node's roles from its configuration: the admin token, the issuer with its key
//! and credential types. Kept apart from binding and serving so each is readable on its own.

use saifu_crypto::LocalSigner;
use saifu_issuer::{ClaimConfig, CredentialConfig, Issuer, IssuerConfig};
use saifu_store::Store;

use crate::issuer::IssuerRole;
use crate::node_files::{self, NodeFileError};
use crate::settings::{CredentialSettings, IssuerSettings};
use crate::{AppState, Config};

/// How long access tokens and nonces stay valid, in seconds.
const TOKEN_TTL: i64 = 300;
const SECONDS_PER_DAY: i64 = 86_400;

/// Why the roles could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    /// A file in the data directory could not be read or created.
    #[error(transparent)]
    NodeFile(#[from] NodeFileError),
    /// The issuer key cannot sign.
    #[error("the issuer key cannot sign: {0}")]
    IssuerKey(String),
}

/// The state of a node reachable at `base_url`, with every role its configuration enables.
pub(crate) fn app_state(
    config: &Config,
    store: Store,
    base_url: &str,
) -> Result<AppState, RoleError> {
    let admin_token = match &config.admin_token {
        Some(token) => token.clone(),
        None => node_files::admin_token(&config.data_dir)?,
    };
    let mut state = AppState::new(store.clone());
    if config.issuer.enabled {
        let issuer = issuer(&config.issuer, &config.data_dir, base_url, store)?;
        state = state.with_issuer(IssuerRole::new(issuer, admin_token));
    }
    Ok(state)
}

fn issuer(
    settings: &IssuerSettings,
    data_dir: &std::path::Path,
    issuer_id: &str,
    store: Store,
) -> Result<Issuer<Store>, RoleError> {
    let key = node_files::issuer_key(data_dir)?;
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
        credentials: settings.credentials.iter().map(credential).collect(),
        offer_ttl: settings.offer_ttl_seconds,
        token_ttl: TOKEN_TTL,
        tx_code_attempts: settings.tx_code_attempts,
        batch_size: settings.batch_size,
    };
    Ok(Issuer::new(config, store))
}

fn credential(settings: &CredentialSettings) -> CredentialConfig {
    CredentialConfig {
        id: settings.id.clone(),
        vct: settings.vct.clone(),
        scope: settings
            .scope
            .clone()
            .unwrap_or_else(|| settings.id.clone()),
        display_name: settings.name.clone(),
        claims: settings
            .claims
            .iter()
            .map(|claim| ClaimConfig {
                name: claim.name.clone(),
                display_name: claim.display.clone(),
                selectively_disclosable: claim.sd,
            })
            .collect(),
        validity: settings.validity_days.saturating_mul(SECONDS_PER_DAY),
        holder_binding: settings.holder_binding,
    }
}
