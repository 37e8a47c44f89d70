//! What an issuer pays to publish, and a verifier to read, a 1,000,000-entry 1-bit status list:
//! set statuses + compress + base64url, and decode + decompress + one lookup. Beside them, raw
//! flate2 compression of the same bytes at the highest level (what `to_json` uses, as §4.1
//! recommends) and at the default level, to show what the level costs and saves.
//!
//! Run: `cargo bench -p saifu-credential --bench status_list`.

use std::io::Write;

use criterion::{Criterion, black_box};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use saifu_credential::status::{Bits, Limits, StatusList, StatusValue};

const ENTRIES: u64 = 1_000_000;

/// About 1 % revoked, spread by a fixed LCG so every run compresses the same data.
fn revoked_indices() -> Vec<u64> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..ENTRIES / 100)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % ENTRIES
        })
        .collect()
}

fn build(revoked: &[u64]) -> StatusList {
    let mut list = StatusList::new(Bits::One, ENTRIES);
    for &i in revoked {
        list.set(i, StatusValue::Invalid).expect("index in range");
    }
    list
}

fn zlib(bytes: &[u8], level: Compression) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), level);
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

fn bench(c: &mut Criterion) {
    let revoked = revoked_indices();
    let mut group = c.benchmark_group("status_list_1M_1bit");
    group.sample_size(20);

    group.bench_function("encode_compress", |b| {
        b.iter(|| build(black_box(&revoked)).to_json())
    });

    let bytes = build(&revoked).as_bytes().to_vec();
    for (name, level) in [
        ("raw_zlib_best", Compression::best()),
        ("raw_zlib_default", Compression::default()),
    ] {
        eprintln!(
            "{name}: {} bytes -> {} bytes",
            bytes.len(),
            zlib(&bytes, level).len()
        );
        group.bench_function(name, |b| b.iter(|| zlib(black_box(&bytes), level)));
    }

    let json = build(&revoked).to_json();
    let limits = Limits::default();
    group.bench_function("decompress_lookup", |b| {
        b.iter(|| {
            let list = StatusList::from_json(black_box(&json), &limits).expect("decodes");
            list.get(black_box(revoked[0])).expect("in range")
        })
    });
    group.finish();
}

// What `criterion_main!` expands to, written out: its `criterion_group!` companion generates an
// undocumented `pub fn`, which the workspace's `missing_docs` lint refuses.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
