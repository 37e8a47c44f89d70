//! A `saifu serve` child process for CLI tests that act on a running node: started on a free
//! port in its own data directory, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running node.
pub struct RunningNode {
    child: Child,
    /// The node's base URL.
    pub base: String,
    /// Its data directory (with the generated `admin-token`).
    pub data_dir: PathBuf,
}

impl RunningNode {
    /// Starts `saifu serve --port 0` with data in `data_dir`; returns once it listens.
    pub fn start(data_dir: &Path) -> RunningNode {
        RunningNode::spawn(&["serve"], data_dir)
    }

    /// Starts `saifu COMMAND… --port 0` (a command that serves a node, such as `serve` or
    /// `registry serve`) with data in `data_dir`; returns once it listens.
    pub fn spawn(command: &[&str], data_dir: &Path) -> RunningNode {
        let mut child = Command::new(env!("CARGO_BIN_EXE_saifu"))
            .args(command)
            .args(["--port", "0", "--json", "--data-dir"])
            .arg(data_dir)
            .env_remove("SAIFU_ADMIN_TOKEN")
            .env_remove("SAIFU_DATABASE_URL")
            .env_remove("SAIFU_LISTEN")
            .env_remove("SAIFU_PORT")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("saifu serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let announced: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        RunningNode {
            child,
            base: announced["listening"].as_str().unwrap().to_owned(),
            data_dir: data_dir.to_path_buf(),
        }
    }
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
