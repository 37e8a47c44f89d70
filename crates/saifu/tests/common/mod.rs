//! Running the real `saifu` binary from the CLI tests.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `saifu ARGS` in `dir` with extra environment and optional stdin; `SAIFU_PASSPHRASE` is
/// cleared unless given, so no test depends on the caller's environment.
pub fn run(dir: &Path, args: &[&str], envs: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_saifu"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("SAIFU_PASSPHRASE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("saifu runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Asserts success; returns stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "saifu failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Asserts exit code 1 with `error:` and `hint:` lines; returns stderr.
pub fn failed(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "expected failure, got {out:?}");
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(err.contains("error: ") && err.contains("hint: "), "{err}");
    err
}
