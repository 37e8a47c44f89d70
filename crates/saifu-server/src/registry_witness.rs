//! The registry's witnesses: the configured `[registry] witnesses`, reached over HTTP, and the
//! task that gathers their cosignatures after every checkpoint the sequencer publishes
//! (`saifu_registry::gather`).

use std::sync::Arc;
use std::time::Duration;

use saifu_did::http::{HttpClient, HttpConfig, Outbound};
use saifu_registry::gather::{
    self, BoxFuture, Cosigner, WitnessEndpoint, WitnessReply, WitnessTransport,
};
use saifu_registry::log::LogReader;
use saifu_registry::note::{NoteKeyKind, NoteVerifier};
use saifu_registry::sequencer::Sequencer;
use saifu_store::Store;
use url::Url;

use crate::roles::RoleError;
use crate::settings::RegistrySettings;

/// Witnesses over HTTP. Their URLs come from the operator's configuration, so private
/// addresses and plain http are allowed; the cosignatures are verified, whatever the transport.
struct HttpWitnesses(HttpClient);

impl WitnessTransport for HttpWitnesses {
    fn post<'a>(
        &'a self,
        url: &'a str,
        body: Vec<u8>,
    ) -> BoxFuture<'a, Result<WitnessReply, String>> {
        Box::pin(async move {
            let url = Url::parse(url).map_err(|e| e.to_string())?;
            let request = Outbound {
                url: &url,
                accept: "text/plain",
                body: Some(("text/plain", body)),
                bearer: None,
            };
            let answer = self.0.exchange(request).await.map_err(|e| e.to_string())?;
            Ok(WitnessReply {
                status: answer.status,
                content_type: answer.content_type,
                body: answer.body,
            })
        })
    }
}

/// Starts gathering cosignatures from the configured witnesses for each checkpoint `sequencer`
/// publishes; does nothing when none are configured.
pub(crate) fn start(
    settings: &RegistrySettings,
    store: Arc<Store>,
    origin: &str,
    sequencer: &Sequencer,
) -> Result<(), RoleError> {
    if settings.witnesses.is_empty() {
        return Ok(());
    }
    let invalid = |why: String| RoleError::Registry(why);
    let witnesses = settings
        .witnesses
        .iter()
        .map(|w| {
            Url::parse(&w.url).map_err(|e| invalid(format!("witness URL {}: {e}", w.url)))?;
            let key = NoteVerifier::from_vkey(&w.vkey)
                .map_err(|e| invalid(format!("witness key of {}: {e}", w.url)))?;
            if key.kind() != NoteKeyKind::Cosignature {
                return Err(invalid(format!(
                    "witness key of {} is not a cosignature/v1 key",
                    w.url
                )));
            }
            Ok(WitnessEndpoint {
                url: w.url.clone(),
                key,
            })
        })
        .collect::<Result<Vec<_>, RoleError>>()?;
    let quorum = settings.quorum.unwrap_or(witnesses.len());
    if quorum == 0 || quorum > witnesses.len() {
        return Err(invalid(format!(
            "quorum {quorum} must be between 1 and the {} configured witnesses",
            witnesses.len()
        )));
    }
    let timeout = Duration::from_millis(settings.witness_timeout_ms);
    let http = HttpClient::new(HttpConfig {
        allow_private: true,
        allow_http: true,
        timeout,
        ..HttpConfig::default()
    })
    .map_err(|e| invalid(e.to_string()))?;
    let cosigner = Cosigner::new(
        LogReader::new(store.clone(), origin),
        witnesses,
        Arc::new(HttpWitnesses(http)),
        timeout,
    );
    tokio::spawn(gather::run(
        store,
        origin.to_owned(),
        Arc::new(cosigner),
        quorum,
        sequencer.published(),
    ));
    Ok(())
}
