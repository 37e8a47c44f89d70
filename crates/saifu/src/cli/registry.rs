//! `saifu registry …`: run a registry-only node, append entries to a node's transparency log,
//! fetch and check its checkpoint against a witness policy, fetch inclusion proofs, and verify
//! an entry's inclusion offline from a saved checkpoint and proof.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use clap::{Args, Subcommand};
use saifu_registry::note::NoteVerifier;
use saifu_registry::policy::WitnessPolicy;
use saifu_registry::tree::{Hash, leaf_hash, verify_inclusion};
use saifu_server::{ConfigLayer, IssuerSettings, VerifierSettings};
use serde_json::{Value, json};

use super::node::{NodeArgs, NodeClient};
use super::serve::ServeArgs;
use super::{CliError, GlobalArgs, input, output};

const AFTER_HELP: &str = "\
Examples:
  saifu registry serve --data-dir ./registry --port 8070 --config registry.toml
      A node with only the registry role (no issuer, no verifier; the options are those of
      `saifu serve`). Witnesses that cosign its checkpoints go in the config file:
        [registry]
        witnesses = [{ url = \"http://127.0.0.1:8090/add-checkpoint\", vkey = \"w+1234abcd+BA…\" }]
        quorum = 1
  saifu registry append event.json --node http://127.0.0.1:8070 --node-data-dir ./registry
      Prints the entry's leaf index once the entry is durable. Raw entries need the node's
      admin token: from SAIFU_ADMIN_TOKEN, or from the node's data directory on its machine.
  saifu registry checkpoint --node http://127.0.0.1:8070 --witness-key \"w+1234abcd+BA…\" \\
      --quorum 1 --out checkpoint.txt
      Fetches the checkpoint, checks the log's signatures and the witness cosignatures, saves it.
  saifu registry proof --node http://127.0.0.1:8070 --index 0 --size 1 > proof.json
  saifu registry proof --node http://127.0.0.1:8070 --entry event.json > proof.json
      The same proof, found by the entry's leaf hash (no index needed).
  saifu registry verify --checkpoint checkpoint.txt --entry event.json --proof proof.json \\
      --log-key \"$(curl -s http://127.0.0.1:8070/registry/log-keys | head -n 1)\"
      Offline: ok, or exactly what does not hold.";

/// `saifu registry …`.
#[derive(Debug, Args)]
#[command(
    about = "Run and use the verifiable data registry: a witnessed transparency log",
    after_help = AFTER_HELP
)]
pub struct RegistryArgs {
    #[command(subcommand)]
    command: RegistryCommand,
}

#[derive(Debug, Subcommand)]
enum RegistryCommand {
    /// Run a node with only the registry role (no issuer, no verifier) until Ctrl-C
    #[command(after_help = AFTER_HELP)]
    Serve(ServeArgs),
    /// Append FILE (or standard input for `-`) to a node's log; prints its leaf index. Needs
    /// the node's admin token (SAIFU_ADMIN_TOKEN, or --node-data-dir on the node's machine)
    #[command(after_help = AFTER_HELP)]
    Append {
        /// The entry
        file: PathBuf,
        #[command(flatten)]
        node: NodeArgs,
    },
    /// Fetch a node's checkpoint and check its signatures; prints size, root and cosigners
    #[command(after_help = AFTER_HELP)]
    Checkpoint {
        #[command(flatten)]
        node: NodeUrl,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Also save the checkpoint note to this file (for `registry verify`)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Fetch the inclusion proof of leaf INDEX, or of the entry in FILE wherever it is, as JSON
    /// (the input of `registry verify`)
    #[command(after_help = AFTER_HELP)]
    Proof {
        #[command(flatten)]
        node: NodeUrl,
        /// The entry's leaf index
        #[arg(long, required_unless_present = "entry", conflicts_with = "entry")]
        index: Option<u64>,
        /// The entry itself: the node finds its leaf by hash (the answer's `index` says where)
        #[arg(long, value_name = "FILE")]
        entry: Option<PathBuf>,
        /// The tree size the proof is for [default: the size of the node's checkpoint]
        #[arg(long)]
        size: Option<u64>,
    },
    /// Offline: check that an entry is in the log a saved checkpoint commits to
    #[command(after_help = AFTER_HELP)]
    Verify {
        /// The checkpoint note (from `registry checkpoint --out`)
        #[arg(long, value_name = "FILE")]
        checkpoint: PathBuf,
        /// The entry's bytes
        #[arg(long, value_name = "FILE")]
        entry: PathBuf,
        /// The inclusion proof JSON (from `registry proof`)
        #[arg(long, value_name = "FILE")]
        proof: PathBuf,
        #[command(flatten)]
        policy: PolicyArgs,
    },
}

/// Which node.
#[derive(Debug, Args)]
struct NodeUrl {
    /// The node's URL [env: SAIFU_NODE] [default: http://127.0.0.1:8080]
    #[arg(long, value_name = "URL")]
    node: Option<String>,
}

impl NodeUrl {
    fn url(&self, path: &str) -> String {
        let base = self
            .node
            .clone()
            .or_else(|| std::env::var("SAIFU_NODE").ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "http://127.0.0.1:8080".into());
        format!("{}{path}", base.trim_end_matches('/'))
    }

    /// `GET path` → the body, or the node's error.
    async fn get(&self, path: &str) -> Result<Vec<u8>, CliError> {
        let request = reqwest::Client::new().get(self.url(path));
        send(self, request).await
    }
}

async fn send(node: &NodeUrl, request: reqwest::RequestBuilder) -> Result<Vec<u8>, CliError> {
    let unreachable = |source| CliError::NodeUnreachable {
        url: node.url(""),
        source,
    };
    let answer = request.send().await.map_err(unreachable)?;
    let status = answer.status();
    let body = answer.bytes().await.map_err(unreachable)?.to_vec();
    if status.is_success() {
        return Ok(body);
    }
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = String::from_utf8_lossy(&body).trim().to_owned();
    Err(CliError::NodeRejected {
        status,
        error: json["error"].as_str().unwrap_or("refused").to_owned(),
        description: json["error_description"]
            .as_str()
            .map_or(text, str::to_owned),
    })
}

/// Whose signatures a checkpoint needs.
#[derive(Debug, Args)]
struct PolicyArgs {
    /// A log verifier key to require (repeatable) [default for `checkpoint`: the keys the node
    /// publishes at /registry/log-keys]
    #[arg(long = "log-key", value_name = "VKEY")]
    log_keys: Vec<String>,
    /// A witness's cosignature verifier key (repeatable)
    #[arg(long = "witness-key", value_name = "VKEY")]
    witness_keys: Vec<String>,
    /// How many of the witnesses must have cosigned [default: all given]
    #[arg(long, value_name = "K")]
    quorum: Option<usize>,
}

fn check_failed(what: &'static str, reason: impl std::fmt::Display) -> CliError {
    CliError::RegistryCheck {
        what,
        reason: reason.to_string(),
    }
}

impl PolicyArgs {
    /// Checks `note` (origin from its first line) under these keys; the accepted checkpoint.
    fn accept(
        &self,
        note: &[u8],
        log_keys: &[String],
    ) -> Result<saifu_registry::policy::Accepted, CliError> {
        let parse = |keys: &[String]| {
            keys.iter()
                .map(|k| {
                    NoteVerifier::from_vkey(k).map_err(|e| CliError::BadArgument(e.to_string()))
                })
                .collect::<Result<Vec<_>, CliError>>()
        };
        let origin = std::str::from_utf8(note)
            .ok()
            .and_then(|text| text.lines().next())
            .ok_or_else(|| check_failed("checkpoint", "not a checkpoint note"))?;
        let witnesses = parse(&self.witness_keys)?;
        let quorum = self.quorum.unwrap_or(witnesses.len());
        let policy = WitnessPolicy::new(origin, parse(log_keys)?, witnesses, quorum)
            .map_err(|e| CliError::BadArgument(e.to_string()))?;
        policy
            .accept(note)
            .map_err(|e| check_failed("checkpoint", e))
    }
}

/// Standard base64 made safe for a query string (`+`, `/` and `=` escaped).
fn urlencoding_base64(text: &str) -> String {
    text.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// Runs `saifu registry …`.
pub async fn run(args: RegistryArgs, global: &GlobalArgs) -> Result<(), CliError> {
    match args.command {
        RegistryCommand::Serve(serve) => {
            super::serve::serve(serve, global, "saifu registry", |flags| ConfigLayer {
                issuer: Some(IssuerSettings {
                    enabled: false,
                    ..IssuerSettings::default()
                }),
                verifier: Some(VerifierSettings {
                    enabled: false,
                    ..VerifierSettings::default()
                }),
                ..flags
            })
            .await
        }
        RegistryCommand::Append { file, node } => {
            let entry = input::read_bytes(Some(&file))?;
            let answer = NodeClient::new(&node)?
                .post_bytes("/registry/add-entry", entry)
                .await?;
            let index = answer.as_u64().ok_or_else(|| {
                check_failed("answer", "the node did not answer with a leaf index")
            })?;
            if global.json {
                output::line(json!({"leaf_index": index}));
            } else {
                output::line(index);
            }
            Ok(())
        }
        RegistryCommand::Checkpoint { node, policy, out } => {
            let note = node.get("/registry/checkpoint").await?;
            let log_keys = if policy.log_keys.is_empty() {
                String::from_utf8_lossy(&node.get("/registry/log-keys").await?)
                    .lines()
                    .map(str::to_owned)
                    .collect()
            } else {
                policy.log_keys.clone()
            };
            let accepted = policy.accept(&note, &log_keys)?;
            if let Some(out) = out {
                write(&out, &note)?;
            }
            let checkpoint = &accepted.checkpoint;
            let cosigners: Vec<&str> = accepted.cosigners.iter().map(|(n, _)| n.as_str()).collect();
            if global.json {
                output::line(json!({"origin": checkpoint.origin, "size": checkpoint.size,
                    "root": B64.encode(checkpoint.root), "cosigners": cosigners}));
            } else {
                output::line(format!("origin:    {}", checkpoint.origin));
                output::line(format!("size:      {}", checkpoint.size));
                output::line(format!("root:      {}", B64.encode(checkpoint.root)));
                output::line(format!("cosigners: {}", cosigners.join(", ")));
            }
            Ok(())
        }
        RegistryCommand::Proof {
            node,
            index,
            entry,
            size,
        } => {
            let leaf = match (index, entry) {
                (Some(index), _) => format!("index={index}"),
                (None, Some(file)) => {
                    let hash = B64.encode(leaf_hash(&input::read_bytes(Some(&file))?));
                    format!("hash={}", urlencoding_base64(&hash))
                }
                (None, None) => {
                    return Err(CliError::BadArgument(
                        "name the entry: --index N or --entry FILE".into(),
                    ));
                }
            };
            let query = match size {
                Some(size) => format!("{leaf}&size={size}"),
                None => leaf,
            };
            let proof = node
                .get(&format!("/registry/proof/inclusion?{query}"))
                .await?;
            let proof: Value =
                serde_json::from_slice(&proof).map_err(|e| check_failed("proof", e))?;
            output::line(proof);
            Ok(())
        }
        RegistryCommand::Verify {
            checkpoint,
            entry,
            proof,
            policy,
        } => {
            if policy.log_keys.is_empty() {
                return Err(CliError::BadArgument(
                    "offline verification needs the log's key: pass --log-key VKEY".into(),
                ));
            }
            let note = input::read_bytes(Some(&checkpoint))?;
            let accepted = policy.accept(&note, &policy.log_keys)?;
            let entry = input::read_bytes(Some(&entry))?;
            let (index, size, path) = read_proof(&proof)?;
            let checkpoint = &accepted.checkpoint;
            if size != checkpoint.size {
                return Err(check_failed(
                    "proof",
                    format!(
                        "the proof is for size {size}, the checkpoint has {}",
                        checkpoint.size
                    ),
                ));
            }
            verify_inclusion(&leaf_hash(&entry), index, size, &path, &checkpoint.root)
                .map_err(|e| check_failed("inclusion", e))?;
            if global.json {
                output::line(json!({"ok": true, "index": index, "size": size}));
            } else {
                output::line(format!("ok: entry {index} is in the log of size {size}"));
            }
            Ok(())
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })
}

/// `{"index", "size", "proof": [base64 …]}` as `registry proof` prints it.
fn read_proof(path: &Path) -> Result<(u64, u64, Vec<Hash>), CliError> {
    let text = input::read_bytes(Some(path))?;
    let malformed = |why: &str| check_failed("proof", format!("{}: {why}", path.display()));
    let json: Value = serde_json::from_slice(&text).map_err(|_| malformed("not JSON"))?;
    let index = json["index"]
        .as_u64()
        .ok_or_else(|| malformed("no index"))?;
    let size = json["size"].as_u64().ok_or_else(|| malformed("no size"))?;
    let hashes = json["proof"]
        .as_array()
        .ok_or_else(|| malformed("no proof array"))?
        .iter()
        .map(|h| {
            h.as_str()
                .and_then(|h| B64.decode(h).ok())
                .and_then(|h| h.try_into().ok())
                .ok_or_else(|| malformed("a proof hash is not base64 of 32 bytes"))
        })
        .collect::<Result<Vec<Hash>, CliError>>()?;
    Ok((index, size, hashes))
}

/// What to do when a registry check fails.
pub fn hint(error: &CliError) -> String {
    match error {
        CliError::RegistryCheck {
            what: "checkpoint", ..
        } => "check the --log-key and \
             --witness-key values (the node publishes its keys at /registry/log-keys, a witness \
             prints its key when it starts) and --quorum"
            .into(),
        CliError::RegistryCheck {
            what: "inclusion", ..
        } => "the entry, proof and checkpoint do \
             not fit together: fetch the proof for this entry's index at the checkpoint's size \
             (`saifu registry proof --index I --size N`)"
            .into(),
        _ => "fetch the proof again with `saifu registry proof` and check the files".into(),
    }
}
