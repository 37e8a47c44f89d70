//! A `saifu serve` child process for CLI tests that act on a running node: started on a free
//! port in its own data directory, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

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
    #[allow(dead_code)] // Not every test binary that includes this module starts a plain node.
    pub fn start(data_dir: &Path) -> RunningNode {
        RunningNode::start_with(&["serve"], data_dir).0
    }

    /// Starts `saifu ARGS --port 0 --json --data-dir DATA_DIR` (`serve …` or `demo`); returns
    /// once it announced where it listens, with the rest of its output to read.
    pub fn start_with(args: &[&str], data_dir: &Path) -> (RunningNode, BufReader<ChildStdout>) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_saifu"))
            .args(args)
            .args(["--port", "0", "--json", "--data-dir"])
            .arg(data_dir)
            .env_remove("SAIFU_ADMIN_TOKEN")
            .env_remove("SAIFU_DATABASE_URL")
            .env_remove("SAIFU_LISTEN")
            .env_remove("SAIFU_PORT")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("saifu starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let announced: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        let node = RunningNode {
            child,
            base: announced["listening"].as_str().unwrap().to_owned(),
            data_dir: data_dir.to_path_buf(),
        };
        (node, stdout)
    }
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
