//! Where in a status list the k-th credential goes: a keyed permutation of the list's positions.
//!
//! Token Status List §12 (privacy) asks issuers not to hand out indexes in order, because an
//! index would then tell a verifier when, relative to others, a credential was issued. Drawing
//! random indexes and retrying on collision slows down as a list fills and cannot fill it. A
//! secret permutation gives both: slot `k` of a list goes to `shuffle(key, k, size)`, which is
//! unpredictable without the list's key, and distinct slots never share a position, so a list
//! fills completely with one database write per credential.
//!
//! The permutation is a balanced Feistel network (ten rounds, SHA-256 of key, round and half as
//! the round function) over the smallest even number of bits that covers the list, restricted
//! to the list's size by cycle walking (Black and Rogaway, "Ciphers with Arbitrary Finite
//! Domains", 2002).

use sha2::{Digest, Sha256};

/// Feistel rounds; small domains want more than the four of Luby–Rackoff (FF1 uses ten).
const ROUNDS: u8 = 10;

/// The position of slot `ordinal` in a list of `size` entries shuffled with `key`.
///
/// A bijection of `0..size` for every key; `size` must be at least 2 and `ordinal < size`.
pub(crate) fn shuffle(key: &[u8], ordinal: u64, size: u64) -> u64 {
    debug_assert!(size >= 2 && ordinal < size);
    let bits = u64::BITS - (size - 1).leading_zeros();
    let half_bits = bits.div_ceil(2);
    let mut position = ordinal;
    // The cycle through `ordinal` returns to it, so the walk ends at a position below `size`.
    loop {
        position = feistel(key, position, half_bits);
        if position < size {
            return position;
        }
    }
}

/// One encryption of `value` (2 × `half_bits` bits wide).
fn feistel(key: &[u8], value: u64, half_bits: u32) -> u64 {
    let mask = (1u64 << half_bits) - 1;
    let (mut left, mut right) = (value >> half_bits, value & mask);
    for round in 0..ROUNDS {
        let mixed = left ^ (round_function(key, round, right) & mask);
        left = right;
        right = mixed;
    }
    (left << half_bits) | right
}

fn round_function(key: &[u8], round: u8, half: u64) -> u64 {
    let digest = Sha256::new()
        .chain_update(key)
        .chain_update([round])
        .chain_update(half.to_be_bytes())
        .finalize();
    let mut word = [0u8; 8];
    word.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(word)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::shuffle;

    fn image(key: &[u8], size: u64) -> Vec<u64> {
        (0..size).map(|k| shuffle(key, k, size)).collect()
    }

    #[test]
    fn is_a_permutation_of_every_size() {
        for size in [2, 3, 8, 9, 255, 256, 1000, 4097] {
            let positions = image(b"key", size);
            assert!(positions.iter().all(|&p| p < size), "size {size}");
            let distinct: HashSet<_> = positions.iter().collect();
            assert_eq!(distinct.len() as u64, size, "size {size}");
        }
    }

    #[test]
    fn depends_on_the_key_and_is_not_the_identity() {
        let a = image(b"one key", 1024);
        let b = image(b"another key", 1024);
        assert_ne!(a, b);
        assert_eq!(a, image(b"one key", 1024), "deterministic for a key");
        let in_place = a.iter().enumerate().filter(|(k, p)| *k as u64 == **p);
        assert!(
            in_place.count() < 20,
            "close to a random permutation's one fixed point"
        );
    }
}
