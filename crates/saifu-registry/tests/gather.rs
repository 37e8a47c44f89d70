//! The log gathering cosignatures (tlog-witness, the log's side) from witnesses reached through
//! an in-process transport: the first request from size 0 gets a 409 with the witness's size and
//! is retried with a proof from there; refusals become typed errors; a line by another key is
//! refused; a silent witness times out; and which cosigned checkpoint the log serves.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::{ORIGIN, key};
use saifu_registry::gather::{
    BoxFuture, Cosigner, GatherError, WitnessEndpoint, WitnessReply, WitnessTransport, better,
};
use saifu_registry::log::LogReader;
use saifu_registry::note::{Note, NoteKeyKind, NoteSigner};
use saifu_registry::sequencer::{Sequencer, SequencerConfig};
use saifu_registry::store::{Cosigned, RegistryStore};
use saifu_registry::witness::{
    AddCheckpoint, MemoryWitnessState, SIZE_CONTENT_TYPE, Witness, WitnessError,
};
use saifu_store::Store;

/// Witnesses answering in process, as `saifu witness serve` does over HTTP; a URL without a
/// witness answers with the canned reply, or never.
struct InProcess {
    witnesses: HashMap<String, Witness<MemoryWitnessState>>,
    canned: HashMap<String, WitnessReply>,
}

impl WitnessTransport for InProcess {
    fn post<'a>(
        &'a self,
        url: &'a str,
        body: Vec<u8>,
    ) -> BoxFuture<'a, Result<WitnessReply, String>> {
        Box::pin(async move {
            if let Some(reply) = self.canned.get(url) {
                return Ok(reply.clone());
            }
            let Some(witness) = self.witnesses.get(url) else {
                return std::future::pending().await;
            };
            let result = match AddCheckpoint::parse(&body) {
                Ok(request) => witness.add_checkpoint(&request, 1_750_000_000).await,
                Err(e) => Err(e),
            };
            Ok(match result {
                Ok(sig) => reply(200, "text/plain", format!("{}\n", sig.line())),
                Err(WitnessError::Conflict { latest }) => {
                    reply(409, SIZE_CONTENT_TYPE, format!("{latest}\n"))
                }
                Err(e) => reply(e.status(), "text/plain", e.to_string()),
            })
        })
    }
}

fn reply(status: u16, content_type: &str, body: String) -> WitnessReply {
    WitnessReply {
        status,
        content_type: Some(content_type.to_owned()),
        body: body.into_bytes(),
    }
}

async fn log(dir: &std::path::Path, signer: &NoteSigner) -> (Arc<Store>, Sequencer) {
    let store = Arc::new(Store::open_in_dir(dir).await.unwrap());
    let sequencer = Sequencer::start(
        store.clone(),
        SequencerConfig {
            origin: ORIGIN.to_owned(),
            holder: "test".to_owned(),
            max_batch: 16,
            lease: Duration::from_secs(60),
            signers: vec![signer.clone()],
        },
    );
    (store, sequencer)
}

async fn latest(store: &Store) -> Note {
    Note::parse(&store.checkpoint(ORIGIN).await.unwrap().unwrap()).unwrap()
}

#[tokio::test]
async fn cosignatures_are_gathered_and_refusals_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let log_key = key(ORIGIN, NoteKeyKind::Ed25519);
    let (store, sequencer) = log(dir.path(), &log_key).await;
    let logs = HashMap::from([(ORIGIN.to_owned(), vec![log_key.verifier().clone()])]);
    let (k1, k2) = (
        key("w1", NoteKeyKind::Cosignature),
        key("w2", NoteKeyKind::Cosignature),
    );
    let imposter = key("w3", NoteKeyKind::Cosignature);
    let w1 = Witness::new(k1.clone(), logs.clone(), MemoryWitnessState::default());
    let w2 = Witness::new(k2.clone(), logs.clone(), MemoryWitnessState::default());
    let w3 = Witness::new(
        key("w3", NoteKeyKind::Cosignature),
        logs,
        MemoryWitnessState::default(),
    );
    let endpoint = |url: &str, key: &NoteSigner| WitnessEndpoint {
        url: url.into(),
        key: key.verifier().clone(),
    };
    let transport = InProcess {
        witnesses: HashMap::from([("w1".into(), w1), ("w2".into(), w2), ("w3".into(), w3)]),
        canned: HashMap::from([
            (
                "403".into(),
                reply(403, "text/plain", "bad signature".into()),
            ),
            ("404".into(), reply(404, "text/plain", "unknown log".into())),
            ("422".into(), reply(422, "text/plain", "bad proof".into())),
            ("409".into(), reply(409, "text/plain", "3\n".into())),
            ("500".into(), reply(500, "text/plain", String::new())),
        ]),
    };
    let cosigner = Cosigner::new(
        LogReader::new(store.clone(), ORIGIN),
        vec![
            endpoint("w1", &k1),
            endpoint("w2", &k2),
            endpoint("w3", &imposter),
            endpoint("403", &k1),
            endpoint("404", &k1),
            endpoint("422", &k1),
            endpoint("409", &k1),
            endpoint("500", &k1),
            endpoint("silent", &k1),
        ],
        Arc::new(transport),
        Duration::from_millis(200),
    );

    for i in 0..3 {
        sequencer
            .append(format!("e{i}").into_bytes())
            .await
            .unwrap();
    }
    let gathered = cosigner.cosign(&latest(&store).await).await.unwrap();
    assert_eq!(gathered.size, 3);
    assert_eq!(gathered.cosignatures(), 2);
    let r = &gathered.results;
    assert!(r[0].is_ok() && r[1].is_ok(), "{r:?}");
    // w3 signs with its own key, not the one configured for it.
    assert!(
        matches!(r[2], Err(GatherError::BadCosignature(_))),
        "{:?}",
        r[2]
    );
    assert!(matches!(r[3], Err(GatherError::Forbidden(_))));
    assert!(matches!(r[4], Err(GatherError::UnknownLog(_))));
    assert!(matches!(r[5], Err(GatherError::Inconsistent(_))));
    // A 409 without the text/x.tlog.size type is not trusted for a size.
    assert!(matches!(
        r[6],
        Err(GatherError::Unexpected { status: 409, .. })
    ));
    assert!(matches!(
        r[7],
        Err(GatherError::Unexpected { status: 500, .. })
    ));
    assert_eq!(r[8], Err(GatherError::Timeout(Duration::from_millis(200))));
    // The returned note carries the two valid cosignatures beside the log's signature.
    assert_eq!(gathered.note.signatures().len(), 3);
}

#[tokio::test]
async fn a_restarted_log_learns_each_witness_size_from_409() {
    let dir = tempfile::tempdir().unwrap();
    let log_key = key(ORIGIN, NoteKeyKind::Ed25519);
    let (store, sequencer) = log(dir.path(), &log_key).await;
    let logs = HashMap::from([(ORIGIN.to_owned(), vec![log_key.verifier().clone()])]);
    let k1 = key("w1", NoteKeyKind::Cosignature);
    let transport = Arc::new(InProcess {
        witnesses: HashMap::from([(
            "w1".into(),
            Witness::new(k1.clone(), logs, MemoryWitnessState::default()),
        )]),
        canned: HashMap::new(),
    });
    let endpoints = vec![WitnessEndpoint {
        url: "w1".into(),
        key: k1.verifier().clone(),
    }];
    let cosigner = |transport: &Arc<InProcess>| {
        Cosigner::new(
            LogReader::new(store.clone(), ORIGIN),
            endpoints.clone(),
            transport.clone(),
            Duration::from_secs(5),
        )
    };
    sequencer.append(b"a".to_vec()).await.unwrap();
    sequencer.append(b"b".to_vec()).await.unwrap();
    let first = cosigner(&transport)
        .cosign(&latest(&store).await)
        .await
        .unwrap();
    assert_eq!(first.cosignatures(), 1);
    for entry in [b"c", b"d", b"e"] {
        sequencer.append(entry.to_vec()).await.unwrap();
    }
    // A fresh cosigner knows nothing: old 0 → 409 "2" → retried with the proof from 2.
    let again = cosigner(&transport)
        .cosign(&latest(&store).await)
        .await
        .unwrap();
    assert_eq!(again.size, 5);
    assert!(again.results[0].is_ok(), "{:?}", again.results);
}

#[test]
fn the_served_checkpoint_is_the_newest_that_meets_the_quorum() {
    let c = |size, cosignatures| Cosigned {
        size,
        cosignatures,
        note: Vec::new(),
    };
    assert!(better(&c(1, 0), None, 2));
    // Newer and quorate replaces; newer but short of the quorum does not replace a quorate one.
    assert!(better(&c(5, 2), Some(&c(4, 2)), 2));
    assert!(!better(&c(6, 1), Some(&c(5, 2)), 2));
    // While nothing meets the quorum: the newest, then the most cosigned.
    assert!(better(&c(6, 1), Some(&c(5, 1)), 2));
    assert!(better(&c(5, 1), Some(&c(5, 0)), 2));
    assert!(!better(&c(4, 1), Some(&c(5, 0)), 2));
    assert!(better(&c(3, 2), Some(&c(5, 1)), 2));
}
