//! The schema migrations, embedded in the binary in both SQL dialects.
//!
//! Both dialects are listed by one macro so they cannot drift apart: every migration exists in
//! `migrations/sqlite/` and `migrations/postgres/` under the same number and name.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType};

use crate::Backend;

/// Expands to the `(version, description, sql)` list for one dialect directory.
macro_rules! migrations {
    ($dialect:literal) => {
        [
            (
                1,
                "init",
                include_str!(concat!("../migrations/", $dialect, "/0001_init.sql")),
            ),
            (
                2,
                "issuer",
                include_str!(concat!("../migrations/", $dialect, "/0002_issuer.sql")),
            ),
            (
                3,
                "verifier",
                include_str!(concat!("../migrations/", $dialect, "/0003_verifier.sql")),
            ),
            (
                4,
                "issuer_admin",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0004_issuer_admin.sql"
                )),
            ),
            (
                5,
                "issuer_authorization",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0005_issuer_authorization.sql"
                )),
            ),
            (
                6,
                "verifier_requests",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0006_verifier_requests.sql"
                )),
            ),
            (
                7,
                "issuer_notification",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0007_issuer_notification.sql"
                )),
            ),
            (
                8,
                "issuer_session_client",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0008_issuer_session_client.sql"
                )),
            ),
            (
                9,
                "issuer_deferred",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0009_issuer_deferred.sql"
                )),
            ),
            (
                10,
                "verifier_webhook",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0010_verifier_webhook.sql"
                )),
            ),
            (
                11,
                "registry",
                include_str!(concat!("../migrations/", $dialect, "/0011_registry.sql")),
            ),
            (
                12,
                "did_hosting",
                include_str!(concat!("../migrations/", $dialect, "/0012_did_hosting.sql")),
            ),
            (
                13,
                "trust_registry",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0013_trust_registry.sql"
                )),
            ),
            (
                15,
                "vc_api",
                include_str!(concat!("../migrations/", $dialect, "/0015_vc_api.sql")),
            ),
            (
                16,
                "registry_leaf_hash",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0016_registry_leaf_hash.sql"
                )),
            ),
            (
                17,
                "issuer_status_lists",
                include_str!(concat!(
                    "../migrations/",
                    $dialect,
                    "/0017_issuer_status_lists.sql"
                )),
            ),
        ]
    };
}

/// The migrations of one backend, as a source for [`sqlx::migrate::Migrator::new`].
///
/// `sqlx::migrate!` would need sqlx's proc-macro feature (a second sqlx build for the host);
/// `include_str!` embeds the same files and cargo rebuilds when they change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Embedded(pub(crate) Backend);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        let list: &[(i64, &'static str, &'static str)] = match self.0 {
            Backend::Sqlite => &migrations!("sqlite"),
            Backend::Postgres => &migrations!("postgres"),
        };
        let migrations = list
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    Cow::Borrowed(sql),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}
