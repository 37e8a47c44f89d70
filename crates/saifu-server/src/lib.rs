//! saifu-server: the saifu node — its configuration, the axum router composed of role routers,
//! and serving with graceful shutdown.
//!
//! Roles are library code elsewhere; this crate only wires them to HTTP (ARCHITECTURE.md §6).
//! A node is started with [`Config::load`], [`Server::bind`] and [`Server::run`]; tests build
//! the same router with [`build_router`].

mod auth;
mod config;
mod did_host;
mod error;
mod health;
mod issuer;
mod issuer_admin;
mod issuer_auth;
mod metrics;
mod node_files;
mod openapi;
mod pages;
mod registry;
mod registry_service;
mod registry_witness;
mod roles;
mod router;
mod server;
mod settings;
mod tls;
mod trust_registry;
mod vc_api;
mod verifier;
mod verifier_webhook;
mod wallet_web;
mod witness;

pub use config::{Config, ConfigError, ConfigLayer, DEFAULT_LISTEN, LogFormat, UnknownLogFormat};
pub use issuer::IssuerRole;
pub use node_files::{ADMIN_TOKEN_FILE, NodeFileError, admin_token_path, read_admin_token};
pub use roles::RoleError;
pub use router::{AppState, BODY_LIMIT_BYTES, build_router};
pub use server::{ServeError, Server, shutdown_signal};
pub use settings::{
    ClaimSettings, CredentialSettings, IssuerSettings, RegistrySettings, TrustRegistrySettings,
    TrustedIssuerSettings, VcApiSettings, VerifierSettings, WalletSettings, WitnessRoleSettings,
    WitnessSettings,
};
pub use tls::{CA_FILE, SelfSignedTls, TLS_DIR, TlsError};
pub use verifier::VerifierRole;
pub use witness::WitnessServer;
