//! RFC 9162 tree hashing and proofs against independently derived values: a naive recursive
//! MTH written from the RFC's definition, and the RFC 6962 reference roots.

use saifu_registry::tiles::{Tile, TileError, TileKind, decode_bundle, encode_bundle, hash_tile};
use saifu_registry::tree::{
    Frontier, Hash, MemoryTree, TreeError, consistency_proof, inclusion_proof, leaf_hash, root,
    verify_consistency, verify_inclusion,
};
use sha2::{Digest, Sha256};

/// RFC 9162 §2.1.1 MTH, straight from the definition (no stored hashes, no shared code).
fn mth(leaves: &[Vec<u8>]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => Sha256::new()
            .chain_update([0])
            .chain_update(&leaves[0])
            .finalize()
            .into(),
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            Sha256::new()
                .chain_update([1])
                .chain_update(mth(&leaves[..k]))
                .chain_update(mth(&leaves[k..]))
                .finalize()
                .into()
        }
    }
}

fn entries(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("entry {i}").into_bytes()).collect()
}

fn tree_of(leaves: &[Vec<u8>]) -> MemoryTree {
    let mut tree = MemoryTree::new();
    for leaf in leaves {
        tree.push(leaf);
    }
    tree
}

#[test]
fn rfc6962_reference_roots() {
    // The eight leaves and expected roots of the RFC 6962 reference tests.
    let leaves: Vec<Vec<u8>> = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|h| hex::decode(h).unwrap())
    .collect();
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let tree = tree_of(&leaves);
    for (i, expected) in roots.iter().enumerate() {
        let size = i as u64 + 1;
        assert_eq!(
            hex::encode(root(&tree, size).unwrap()),
            *expected,
            "size {size}"
        );
        assert_eq!(mth(&leaves[..=i]), root(&tree, size).unwrap());
    }
    assert_eq!(
        hex::encode(root(&tree, 0).unwrap()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn roots_and_inclusion_proofs_for_all_sizes_and_indices() {
    let leaves = entries(64);
    let tree = tree_of(&leaves);
    let mut frontier = Frontier::default();
    for size in 1..=64u64 {
        frontier.append(leaf_hash(&leaves[size as usize - 1]));
        let expected = mth(&leaves[..size as usize]);
        assert_eq!(root(&tree, size).unwrap(), expected);
        assert_eq!(frontier.root(), expected);
        assert_eq!(Frontier::load(&tree, size).unwrap(), frontier);
        for index in 0..size {
            let proof = inclusion_proof(&tree, index, size).unwrap();
            let leaf = leaf_hash(&leaves[index as usize]);
            verify_inclusion(&leaf, index, size, &proof, &expected).unwrap();
            // Any other leaf, index or a tampered proof must fail.
            let other = leaf_hash(b"not in the log");
            assert_eq!(
                verify_inclusion(&other, index, size, &proof, &expected),
                Err(TreeError::RootMismatch)
            );
            if let Some(first) = proof.first() {
                let mut bad = proof.clone();
                bad[0] = node_flip(first);
                assert_eq!(
                    verify_inclusion(&leaf, index, size, &bad, &expected),
                    Err(TreeError::RootMismatch)
                );
                assert_eq!(
                    verify_inclusion(&leaf, index, size, &proof[1..], &expected),
                    Err(TreeError::WrongProofLength)
                );
            }
            let mut long = proof.clone();
            long.push([7; 32]);
            assert_eq!(
                verify_inclusion(&leaf, index, size, &long, &expected),
                Err(TreeError::WrongProofLength)
            );
        }
        assert_eq!(
            verify_inclusion(&[0; 32], size, size, &[], &expected),
            Err(TreeError::IndexOutOfRange { index: size, size })
        );
    }
}

fn node_flip(hash: &Hash) -> Hash {
    let mut out = *hash;
    out[0] ^= 1;
    out
}

#[test]
fn consistency_proofs_for_all_size_pairs() {
    let leaves = entries(64);
    let tree = tree_of(&leaves);
    for new in 1..=64u64 {
        let new_root = mth(&leaves[..new as usize]);
        for old in 0..=new {
            let old_root = mth(&leaves[..old as usize]);
            let proof = consistency_proof(&tree, old, new).unwrap();
            verify_consistency(old, new, &old_root, &new_root, &proof).unwrap();
            if old > 0 && old < new {
                // A root of a different history of the same old size must fail.
                let forked = node_flip(&old_root);
                assert_eq!(
                    verify_consistency(old, new, &forked, &new_root, &proof),
                    Err(TreeError::RootMismatch)
                );
                let mut bad = proof.clone();
                let last = bad.len() - 1;
                bad[last] = node_flip(&bad[last]);
                assert_eq!(
                    verify_consistency(old, new, &old_root, &new_root, &bad),
                    Err(TreeError::RootMismatch)
                );
                let mut long = proof.clone();
                long.push([1; 32]);
                assert_eq!(
                    verify_consistency(old, new, &old_root, &new_root, &long),
                    Err(TreeError::WrongProofLength)
                );
            }
        }
    }
    assert_eq!(
        consistency_proof(&tree, 5, 4),
        Err(TreeError::InvalidSizes { old: 5, new: 4 })
    );
    let a = mth(&leaves[..3]);
    assert_eq!(
        verify_consistency(3, 3, &a, &node_flip(&a), &[]),
        Err(TreeError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(3, 3, &a, &a, &[a]),
        Err(TreeError::WrongProofLength)
    );
}

#[test]
fn missing_hashes_are_reported() {
    let tree = tree_of(&entries(3));
    assert_eq!(
        inclusion_proof(&tree, 0, 5),
        Err(TreeError::MissingNode { level: 1, index: 1 })
    );
}

#[test]
fn tile_paths_round_trip_and_reject_non_canonical_forms() {
    let cases = [
        (TileKind::Hashes { level: 0 }, 0, 256, "tile/0/000"),
        (
            TileKind::Hashes { level: 1 },
            1_234_067,
            256,
            "tile/1/x001/x234/067",
        ),
        (TileKind::Hashes { level: 0 }, 5, 7, "tile/0/005.p/7"),
        (TileKind::Entries, 1000, 255, "tile/entries/x001/000.p/255"),
    ];
    for (kind, index, width, path) in cases {
        let tile = Tile { kind, index, width };
        assert_eq!(tile.path(), path);
        assert_eq!(Tile::parse(path), Ok(tile));
    }
    for bad in [
        "tile/0/5",
        "tile/0/x000/005",
        "tile/0/005.p/0",
        "tile/0/005.p/256",
        "tile/0/005.p/07",
        "tile/8/000",
        "tile/00/000",
        "tile/0/001/002",
        "tile/x/000",
        "tiles/0/000",
        "tile/0/x001/x002/x003/x004/x005/x006/x007/x008/x009/x010/x011/x012/x013/000",
    ] {
        assert_eq!(Tile::parse(bad), Err(TileError::MalformedPath), "{bad}");
    }
}

#[test]
fn tiles_hold_the_hashes_of_their_level() {
    let leaves = entries(70_000);
    let tree = tree_of(&leaves);
    let size = tree.size();
    let full = Tile::at_size(TileKind::Hashes { level: 0 }, 0, size).unwrap();
    assert_eq!(full.width, 256);
    let partial = Tile::at_size(TileKind::Hashes { level: 0 }, 273, size).unwrap();
    assert_eq!(partial.width, (70_000 - 273 * 256) as u16);
    let bytes = hash_tile(&tree, 0, 273, partial.width).unwrap();
    assert_eq!(&bytes[..32], &leaf_hash(&leaves[273 * 256]));
    // Level 1 holds level-8 subtree hashes: the MTH of 256 consecutive leaves.
    let level1 = Tile::at_size(TileKind::Hashes { level: 1 }, 0, size).unwrap();
    assert_eq!(level1.width, 256);
    let bytes = hash_tile(&tree, 1, 0, level1.width).unwrap();
    assert_eq!(&bytes[32..64], &mth(&leaves[256..512]));
    let level1_partial = Tile::at_size(TileKind::Hashes { level: 1 }, 1, size).unwrap();
    assert_eq!(level1_partial.width, 273 - 256);
    // Level 2 holds level-16 hashes: 70 000 leaves complete exactly one.
    let level2 = Tile::at_size(TileKind::Hashes { level: 2 }, 0, size).unwrap();
    assert_eq!(level2.width, 1);
    assert_eq!(hash_tile(&tree, 2, 0, 1).unwrap(), mth(&leaves[..65_536]));
    assert_eq!(
        Tile::at_size(TileKind::Hashes { level: 3 }, 0, size),
        Err(TileError::BeyondTree)
    );
    assert_eq!(
        Tile::at_size(TileKind::Entries, 274, size),
        Err(TileError::BeyondTree)
    );
}

#[test]
fn entry_bundles_round_trip_and_reject_truncation() {
    let bundle = encode_bundle(&[b"a".to_vec(), Vec::new(), vec![9; 300]]).unwrap();
    assert_eq!(
        decode_bundle(&bundle).unwrap(),
        vec![b"a".to_vec(), Vec::new(), vec![9; 300]]
    );
    assert_eq!(
        decode_bundle(&bundle[..bundle.len() - 1]),
        Err(TileError::MalformedBundle)
    );
    assert_eq!(decode_bundle(&[0]), Err(TileError::MalformedBundle));
    assert_eq!(
        encode_bundle(&[vec![0; 70_000]]),
        Err(TileError::EntryTooLarge(70_000))
    );
    let too_many = encode_bundle(&vec![Vec::<u8>::new(); 257]).unwrap();
    assert_eq!(decode_bundle(&too_many), Err(TileError::MalformedBundle));
}
