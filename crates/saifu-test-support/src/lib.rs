//! What the integration tests share to drive the independent peers in `interop/`: npm packages
//! installed from the committed lockfile (`npm ci --prefix interop`), run with `node`.
//!
//! Each interop test used to carry its own copy of "is the package there at the pinned version,
//! spawn `node interop/<script>` with JSON on stdin, check the exit status, parse JSON from
//! stdout". The copies drifted in their error messages, and one fix had to be made a dozen
//! times; here it is made once. A missing peer fails the test with the command that installs
//! it: nothing here skips.
//!
//! Dev-only (`publish = false`), with no dependency but `serde_json`, so that every crate can
//! take it under `[dev-dependencies]` without pulling more into its tests.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The command a newcomer runs to install the npm peers, for the panic messages.
const NPM_CI: &str = "run `npm ci --prefix interop` from the repository root";

/// The repository's `interop/` directory, where the peer scripts and their `node_modules` live.
///
/// Derived from this crate's own manifest directory, so it is the same whichever crate's test
/// asks.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../interop")
}

/// Panics, with the command that fixes it, unless the npm package `name` is installed in
/// `interop/node_modules` — at exactly `pinned_version` when one is given.
///
/// Tests that compare saifu with a peer must compare with the version the lockfile pins: a
/// stale `node_modules` would otherwise turn a peer's changed behaviour into a saifu bug.
pub fn require_npm_package(name: &str, pinned_version: Option<&str>) {
    let manifest = interop_dir()
        .join("node_modules")
        .join(name)
        .join("package.json");
    let installed = std::fs::read_to_string(&manifest).unwrap_or_else(|_| {
        panic!(
            "the npm peer {name} is not installed ({} is missing): {NPM_CI}",
            manifest.display()
        )
    });
    let Some(pinned) = pinned_version else {
        return;
    };
    let found: Value = serde_json::from_str(&installed)
        .unwrap_or_else(|e| panic!("{} is not JSON ({e}): {NPM_CI}", manifest.display()));
    assert_eq!(
        found["version"].as_str(),
        Some(pinned),
        "the npm peer {name} is not at the pinned version {pinned}: {NPM_CI}"
    );
}

/// `node interop/<script>` (`script` relative to `interop/`). It runs in the test's own working
/// directory, so that a relative path the test passes (a screenshot directory, say) means to the
/// script what it means to the test; the scripts find their modules and data next to
/// themselves. Callers add arguments, environment and standard streams; [`run_node`],
/// [`run_json_peer`] and [`run_browser`] cover the usual cases.
pub fn node_command(script: &str) -> Command {
    let mut command = Command::new("node");
    command.arg(interop_dir().join(script));
    command
}

/// Runs a peer `command` that reads one JSON request on stdin and prints one JSON answer on
/// stdout — a [`node_command`] with extra environment, or a Python peer — and returns that
/// answer, or the peer's stderr when it exits non-zero (some tests assert on the peer's error).
/// Panics when the program cannot be started at all.
pub fn run_json_peer(command: Command, input: &Value) -> Result<Value, String> {
    let description = format!("{command:?}");
    let output = output_with_stdin(command, input.to_string().as_bytes()).unwrap_or_else(|e| {
        panic!("cannot start {description} ({e}): the npm peers need Node.js 20 or newer")
    });
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "{description} answered no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Runs `command` with `input` on its stdin and collects its exit status, stdout and stderr.
/// An error only when it cannot be started, so that each caller can say how to install it.
///
/// A child that exits before reading all of `input` breaks the pipe; that error is dropped,
/// because the child's exit status and stderr say more about what went wrong.
pub fn output_with_stdin(mut command: Command, input: &[u8]) -> std::io::Result<Output> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("the child's stdin is piped");
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output()
}

/// Runs `interop/<script>` with `input` as JSON on stdin: its JSON answer, or its stderr when it
/// exits non-zero. Check the packages it imports first with [`require_npm_package`].
pub fn run_node(script: &str, input: &Value) -> Result<Value, String> {
    run_json_peer(node_command(script), input)
}

/// [`run_node`] for tests in which the peer must succeed: panics with its stderr otherwise.
pub fn expect_node(script: &str, input: &Value) -> Value {
    run_node(script, input).unwrap_or_else(|e| panic!("{script} failed: {e}"))
}

/// The Chromium the browser scripts drive: `$SAIFU_CHROMIUM`, else Debian's `/usr/bin/chromium`;
/// panics with how to install it when it is not there.
fn chromium_path() -> String {
    let chromium = std::env::var("SAIFU_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium missing ({chromium}): run `apt-get install chromium` (scripts/test-all.sh \
         does), or set SAIFU_CHROMIUM"
    );
    chromium
}

/// Runs the `playwright-core` script `interop/<script>` with `args` against headless Chromium
/// (handed over as `SAIFU_CHROMIUM`); panics with its stdout and stderr when it fails, and with
/// the install command when Chromium or `playwright-core` is missing. Blocks: async tests whose
/// node serves on the same runtime call it on a blocking thread.
pub fn run_browser<I, S>(script: &str, args: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let chromium = chromium_path();
    require_npm_package("playwright-core", None);
    let output = node_command(script)
        .args(args)
        .env("SAIFU_CHROMIUM", &chromium)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node` ({e}): install Node.js 20 or newer"));
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
