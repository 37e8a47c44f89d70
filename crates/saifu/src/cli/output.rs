//! Writing results to stdout. A closed pipe (`saifu … | head`) ends the command quietly with
//! success instead of the panic `println!` would raise.

use std::io::Write;

use serde::Serialize;

/// Writes `text` to stdout as is.
pub fn text(text: &str) {
    bytes(text.as_bytes());
}

/// Writes raw bytes (a verified payload need not be text).
pub fn bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to stdout failed: {e}");
        std::process::exit(1);
    }
}

/// Writes one line.
pub fn line(line: impl std::fmt::Display) {
    text(&format!("{line}\n"));
}

/// Writes `value` as pretty-printed JSON followed by a newline.
pub fn json(value: &impl Serialize) {
    text(&(serde_json::to_string_pretty(value).expect("values built by saifu serialize") + "\n"));
}
