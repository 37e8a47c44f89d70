//! Bridges the operating system RNG to the `rand_core` generation that `ml-dsa` 0.1 expects,
//! so ML-DSA signing can be hedged (FIPS 204 §3.4 recommends hedged over deterministic).

use rand::RngCore;
use rand_core_010::{TryCryptoRng, TryRng};

/// The OS random number generator, seen through `rand_core` 0.10.
pub(crate) struct OsRng010;

/// Error type for [`OsRng010`]: the OS RNG failed.
#[derive(Debug)]
pub(crate) struct OsRngFailed;

impl std::fmt::Display for OsRngFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("operating system RNG failed")
    }
}

impl std::error::Error for OsRngFailed {}

impl TryRng for OsRng010 {
    type Error = OsRngFailed;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand::rngs::OsRng
            .try_fill_bytes(dst)
            .map_err(|_| OsRngFailed)
    }
}

impl TryCryptoRng for OsRng010 {}
