//! The DNS resolver the HTTP client connects through: it resolves the host itself and hands the
//! connector only addresses that passed [`classify`](super::address::classify).
//!
//! Vetting the addresses that are actually dialled (rather than resolving once to check and letting
//! the connector resolve again) is what defeats DNS rebinding: a name that answers with a public
//! address to the check and a private one to the connection never gets the second chance.

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::HttpError;
use super::address::classify;

/// Resolves with the system resolver and refuses non-public addresses unless `allow_private`.
pub(super) struct VettingResolver {
    pub(super) allow_private: bool,
}

impl Resolve for VettingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = vetted_addresses(&host, allow_private).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Every address of `host`, or the reason none may be used. One non-public address refuses the
/// whole name: a host that mixes public and private answers is either misconfigured or an attack.
async fn vetted_addresses(host: &str, allow_private: bool) -> Result<Vec<SocketAddr>, HttpError> {
    let dns_error = |reason: String| HttpError::Dns {
        host: host.to_owned(),
        reason,
    };
    // Port 0: the connector substitutes the URL's port.
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| dns_error(e.to_string()))?
        .collect();
    if addrs.is_empty() {
        return Err(dns_error("no addresses".into()));
    }
    if !allow_private {
        for addr in &addrs {
            if let Some(class) = classify(addr.ip()) {
                return Err(HttpError::ForbiddenAddress {
                    host: host.to_owned(),
                    addr: addr.ip(),
                    class,
                });
            }
        }
    }
    Ok(addrs)
}
