//! The trust registry's index and the cosigned checkpoint on real SQLite and PostgreSQL: trust
//! statements appended among other entries are indexed from the log (whatever appended them),
//! found by subject with and without action and resource, indexed once however often the
//! index catches up; the served cosigned checkpoint round-trips.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{ORIGIN, key};
use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_registry::entry::Entry;
use saifu_registry::note::NoteKeyKind;
use saifu_registry::sequencer::{Sequencer, SequencerConfig};
use saifu_registry::store::{Cosigned, RegistryStore};
use saifu_registry::trust::{AssuranceLevel, Relation, SignedTrustStatement, TrustStatement};
use saifu_registry::trust_index::{SubjectQuery, TrustIndexStore, catch_up};
use saifu_store::Store;
use saifu_store::testing::TestDatabase;

const AUTHORITY: &str = "did:example:ministry";

fn statement(entity: &str, resource: &str, relation: Relation) -> TrustStatement {
    TrustStatement {
        authority_id: AUTHORITY.into(),
        entity_id: entity.into(),
        relation,
        action: "issue".into(),
        resource: resource.into(),
        assurance_level: AssuranceLevel::High,
        valid_from: 0,
        valid_until: None,
        withdrawn: false,
        issued_at: 10,
    }
}

async fn exercise(store: Arc<Store>) {
    let signer = LocalSigner::new(PrivateKey::generate(KeyType::Ed25519).unwrap())
        .unwrap()
        .with_key_id(format!("{AUTHORITY}#1"));
    let sequencer = Sequencer::start(
        store.clone(),
        SequencerConfig {
            origin: ORIGIN.to_owned(),
            holder: "test".to_owned(),
            max_batch: 64,
            lease: Duration::from_secs(60),
            signers: vec![key(ORIGIN, NoteKeyKind::Ed25519)],
        },
    );
    let statements = [
        statement("https://uni.example", "diploma", Relation::Authorization),
        statement("https://uni.example", "transcript", Relation::Authorization),
        statement("https://uni.example", "diploma", Relation::Recognition),
        statement("https://other.example", "diploma", Relation::Authorization),
    ];
    let mut leaves = Vec::new();
    for (i, statement) in statements.iter().enumerate() {
        sequencer
            .append(format!("raw {i}").into_bytes())
            .await
            .unwrap();
        let signed = SignedTrustStatement::sign(statement.clone(), &signer)
            .await
            .unwrap();
        leaves.push(
            sequencer
                .append(Entry::Trust(signed).to_bytes())
                .await
                .unwrap(),
        );
    }
    catch_up(&*store, ORIGIN).await.unwrap();
    // Catching up again (e.g. another node) indexes nothing twice.
    catch_up(&*store, ORIGIN).await.unwrap();
    assert_eq!(store.trust_cursor(ORIGIN).await.unwrap(), 8);

    let query = |entity, relation, resource| SubjectQuery {
        authority_id: AUTHORITY,
        entity_id: entity,
        relation,
        action: Some("issue"),
        resource,
    };
    let found =
        |rows: Vec<(u64, TrustStatement)>| rows.into_iter().map(|(l, _)| l).collect::<Vec<_>>();
    let uni = "https://uni.example";
    let exact = store
        .trust_statements(
            ORIGIN,
            &query(uni, Relation::Authorization, Some("diploma")),
        )
        .await
        .unwrap();
    assert_eq!(exact, vec![(leaves[0], statements[0].clone())]);
    let any_resource = store
        .trust_statements(ORIGIN, &query(uni, Relation::Authorization, None))
        .await
        .unwrap();
    assert_eq!(found(any_resource), vec![leaves[0], leaves[1]]);
    let recognition = store
        .trust_statements(ORIGIN, &query(uni, Relation::Recognition, None))
        .await
        .unwrap();
    assert_eq!(found(recognition), vec![leaves[2]]);
    let any_action = SubjectQuery {
        action: None,
        ..query("https://other.example", Relation::Authorization, None)
    };
    assert_eq!(
        found(store.trust_statements(ORIGIN, &any_action).await.unwrap()),
        vec![leaves[3]]
    );
    let nobody = store
        .trust_statements(
            ORIGIN,
            &query("https://nobody.example", Relation::Authorization, None),
        )
        .await
        .unwrap();
    assert!(nobody.is_empty());

    assert_eq!(store.cosigned(ORIGIN).await.unwrap(), None);
    for (size, cosignatures) in [(3, 1), (8, 2)] {
        let cosigned = Cosigned {
            size,
            cosignatures,
            note: format!("note {size}").into_bytes(),
        };
        store.put_cosigned(ORIGIN, &cosigned).await.unwrap();
        assert_eq!(store.cosigned(ORIGIN).await.unwrap(), Some(cosigned));
    }
}

#[tokio::test]
async fn sqlite_indexes_trust_statements_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    exercise(Arc::new(Store::open_in_dir(dir.path()).await.unwrap())).await;
}

#[tokio::test]
async fn postgres_indexes_trust_statements_from_the_log() {
    let db = TestDatabase::create().await.unwrap();
    exercise(Arc::new(Store::open(db.url()).await.unwrap())).await;
}
