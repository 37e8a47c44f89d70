//! What a registry client and a witness read from the network: signed notes, checkpoints,
//! tlog-witness `add-checkpoint` bodies, tile paths and entry bundles. Must never panic; what
//! parses must print back to what parses the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use saifu_registry::checkpoint::Checkpoint;
use saifu_registry::note::Note;
use saifu_registry::tiles::{Tile, decode_bundle, encode_bundle};
use saifu_registry::witness::AddCheckpoint;

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = Note::parse(data) {
        assert_eq!(Note::parse(&note.to_bytes()).unwrap().text(), note.text());
        if let Ok(checkpoint) = Checkpoint::parse(note.text()) {
            assert_eq!(Checkpoint::parse(&checkpoint.to_text()).unwrap(), checkpoint);
        }
    }
    let _ = AddCheckpoint::parse(data);
    if let Ok(entries) = decode_bundle(data) {
        assert_eq!(decode_bundle(&encode_bundle(&entries).unwrap()).unwrap(), entries);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(tile) = Tile::parse(text) {
            assert_eq!(Tile::parse(&tile.path()).unwrap(), tile);
        }
        if let Ok(checkpoint) = Checkpoint::parse(text) {
            assert_eq!(Checkpoint::parse(&checkpoint.to_text()).unwrap(), checkpoint);
        }
    }
});
