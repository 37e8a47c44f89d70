//! A real zip bomb against the default limits: 512 MiB of zeros, which ZLIB squeezes into about
//! half a megabyte (inside the 1 MiB compressed limit), must be refused at the 16 MiB
//! decompressed limit without the process ever holding the bomb's size in memory.
//!
//! Its own test binary (so its own process): the peak-memory reading is not disturbed by other
//! tests running in parallel threads.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use saifu_credential::status::{Limits, StatusList, StatusListError};
use serde_json::json;

const BOMB_BYTES: usize = 512 << 20;

/// Streams zeros through the encoder a megabyte at a time: building the bomb costs no memory.
fn bomb() -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..BOMB_BYTES / zeros.len() {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// The process's peak resident set size in KiB (Linux `VmHWM`), after resetting it to the current
/// size when the kernel allows (`clear_refs` 5).
#[cfg(target_os = "linux")]
fn reset_and_read_peak_rss() -> impl Fn() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

#[test]
fn zip_bomb_is_refused_without_allocating_its_size() {
    let bomb = bomb();
    let ratio = BOMB_BYTES / bomb.len();
    assert!(
        ratio > 1000,
        "a real bomb: {} bytes inflate {ratio}×",
        bomb.len()
    );
    let limits = Limits::default();
    assert!(
        bomb.len() <= limits.max_compressed_bytes,
        "the compressed limit alone does not stop it"
    );
    let list = json!({"bits": 1, "lst": saifu_crypto::b64::encode(&bomb)});

    #[cfg(target_os = "linux")]
    let peak_kib = reset_and_read_peak_rss();
    #[cfg(target_os = "linux")]
    let before = peak_kib();

    let result = StatusList::from_json(&list, &limits);
    assert_eq!(
        result,
        Err(StatusListError::DecompressedTooLarge {
            limit: limits.max_decompressed_bytes
        })
    );

    #[cfg(target_os = "linux")]
    {
        let grown_mib = (peak_kib() - before) / 1024;
        // The limit (16 MiB) plus decoder state and the base64-decoded input; nowhere near 512.
        assert!(
            grown_mib < 40,
            "peak memory grew by {grown_mib} MiB while refusing the bomb"
        );
    }
}
