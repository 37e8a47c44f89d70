//! The credential types an issuer offers: those of its configuration file, and those an
//! operator defines through the admin API. The latter are stored, so every node sharing the
//! database offers them: a node that does not know an id yet reloads them before refusing.

use std::sync::{Arc, PoisonError, RwLock};

use saifu_oid4vc::vci::metadata::{AuthorizationServerMetadata, CredentialIssuerMetadata};

use crate::clock::now;
use crate::config::CredentialConfig;
use crate::error::IssuerError;
use crate::issuer::Issuer;
use crate::store::{IssuerStore, StoreFailure};

/// Longest credential configuration id.
const MAX_ID_LEN: usize = 64;

/// The configurations added through the admin API, as last loaded from the store.
#[derive(Debug, Default)]
pub(crate) struct Added(RwLock<Arc<Vec<CredentialConfig>>>);

impl Added {
    fn get(&self) -> Arc<Vec<CredentialConfig>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, configs: Vec<CredentialConfig>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(configs);
    }
}

fn invalid(why: String) -> IssuerError {
    IssuerError::InvalidInput(why)
}

/// Refuses a definition a wallet could not use: a malformed id, empty names, duplicate claims.
fn check(config: &CredentialConfig) -> Result<(), IssuerError> {
    let id_ok = !config.id.is_empty()
        && config.id.len() <= MAX_ID_LEN
        && config
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !id_ok {
        return Err(invalid(format!(
            "configuration id `{}` must be 1–{MAX_ID_LEN} characters of A–Z, a–z, 0–9, - _ .",
            config.id
        )));
    }
    if let Some(definition) = &config.w3c {
        crate::w3c::check_definition(definition)?;
    }
    if config.vct.trim().is_empty() || config.display_name.trim().is_empty() {
        return Err(invalid("`vct` and `name` must not be empty".into()));
    }
    if config.validity <= 0 {
        return Err(invalid("the validity must be at least one day".into()));
    }
    let mut names: Vec<&str> = config.claims.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if names.iter().any(|n| n.is_empty()) || names.windows(2).any(|w| w[0] == w[1]) {
        return Err(invalid("claim names must be non-empty and unique".into()));
    }
    Ok(())
}

impl<S: IssuerStore> Issuer<S> {
    /// Every credential type offered: the configuration file's, then the added ones.
    pub fn configurations(&self) -> Vec<CredentialConfig> {
        let mut all = self.config().credentials.clone();
        all.extend(self.added().get().iter().cloned());
        all
    }

    /// The credential type `id`, if this node knows it.
    pub fn credential_config(&self, id: &str) -> Option<CredentialConfig> {
        self.config()
            .credential(id)
            .cloned()
            .or_else(|| self.added().get().iter().find(|c| c.id == id).cloned())
    }

    /// The credential type `id`, reloading the added ones once when this node does not know
    /// it (another node may have added it).
    pub async fn find_configuration(
        &self,
        id: &str,
    ) -> Result<Option<CredentialConfig>, IssuerError> {
        if let Some(config) = self.credential_config(id) {
            return Ok(Some(config));
        }
        self.reload_configurations().await?;
        Ok(self.credential_config(id))
    }

    /// Reloads the added credential types from the store.
    pub async fn reload_configurations(&self) -> Result<(), IssuerError> {
        let stored = self.store().list_configurations().await?;
        let configs = stored
            .iter()
            .map(|definition| serde_json::from_str(definition))
            .collect::<Result<Vec<CredentialConfig>, _>>()
            .map_err(|e| IssuerError::Store(StoreFailure(Box::new(e))))?;
        self.added().set(configs);
        Ok(())
    }

    /// Adds a credential type; its id must be new (to the file and to the store).
    pub async fn add_configuration(&self, config: CredentialConfig) -> Result<(), IssuerError> {
        check(&config)?;
        if self.find_configuration(&config.id).await?.is_some() {
            return Err(IssuerError::Conflict(format!(
                "a credential configuration `{}` exists already",
                config.id
            )));
        }
        let definition = serde_json::to_string(&config)
            .map_err(|e| IssuerError::Store(StoreFailure(Box::new(e))))?;
        if !self
            .store()
            .insert_configuration(&config.id, &definition, now())
            .await?
        {
            return Err(IssuerError::Conflict(format!(
                "a credential configuration `{}` exists already",
                config.id
            )));
        }
        self.reload_configurations().await
    }

    /// Credential Issuer Metadata over every credential type.
    pub fn metadata(&self) -> CredentialIssuerMetadata {
        self.config().issuer_metadata_for(&self.configurations())
    }

    /// Authorization Server Metadata, with the scopes of every credential type.
    pub fn authorization_server_metadata(&self) -> AuthorizationServerMetadata {
        self.config()
            .authorization_server_metadata_for(&self.configurations())
    }
}
