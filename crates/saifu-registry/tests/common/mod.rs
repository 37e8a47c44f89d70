//! Keys and signed checkpoints shared by the registry tests. Each test binary uses a subset,
//! hence the module-level `dead_code` allowance.
#![allow(dead_code)]

use std::sync::Arc;

use saifu_crypto::{KeyType, LocalSigner, PrivateKey};
use saifu_registry::checkpoint::Checkpoint;
use saifu_registry::note::{Note, NoteKeyKind, NoteSigner};
use saifu_registry::tree::MemoryTree;

/// The origin of the test log.
pub const ORIGIN: &str = "registry.example/log";

/// A fresh note key of `kind` under `name`.
pub fn key(name: &str, kind: NoteKeyKind) -> NoteSigner {
    let key_type = match kind {
        NoteKeyKind::MlDsa44 => KeyType::MlDsa44,
        _ => KeyType::Ed25519,
    };
    let signer = LocalSigner::new(PrivateKey::generate(key_type).unwrap()).unwrap();
    NoteSigner::new(name, kind, Arc::new(signer)).unwrap()
}

/// A tree of `n` entries.
pub fn tree(n: usize) -> MemoryTree {
    let mut tree = MemoryTree::new();
    for i in 0..n {
        tree.push(format!("entry {i}").as_bytes());
    }
    tree
}

/// The checkpoint of `tree`, signed by `signers`.
pub async fn signed(tree: &MemoryTree, signers: &[NoteSigner]) -> Note {
    let checkpoint = Checkpoint::new(ORIGIN, tree.size(), tree.root());
    let mut note = Note::new(&checkpoint.to_text()).unwrap();
    note.sign(signers).await.unwrap();
    note
}
