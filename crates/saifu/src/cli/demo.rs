//! `saifu demo --auto`: the whitepapers' story played headless against a real node started in
//! this process — a national ID issuer and a university issue to Hanako's wallet, an employer
//! checks her degree (zero waiting time hiring), a convenience store checks only that she is over
//! 18, the university revokes the diploma and another employer's check fails. Every verification
//! is the node's real verifier; the narration prints what each party saw.

use std::path::PathBuf;

use clap::Args;
use saifu_server::{Config, ConfigLayer, Server, TrustedIssuerSettings, VerifierSettings};
use saifu_wallet::present::Approval;
use saifu_wallet::{Wallet, WalletConfig};
use serde_json::{Value, json};

use super::{CliError, GlobalArgs, output};

/// `saifu demo`.
#[derive(Debug, Args)]
#[command(about = "Play the digital-trust story end to end: issue, hold, present, verify, revoke")]
pub struct DemoArgs {
    /// Play the whole story without interaction and print a narrated trace (the only mode so far)
    #[arg(long)]
    auto: bool,
    /// Keep the demo node's files here [default: a temporary directory, removed afterwards]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

/// A node the demo talks to over loopback HTTP, like any wallet and relying party would.
struct DemoNode {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl DemoNode {
    /// Starts a node in this process on a free loopback port, with `verifier` settings when
    /// given, and keeps it serving until the process ends.
    async fn start(
        data_dir: PathBuf,
        verifier: Option<VerifierSettings>,
    ) -> Result<DemoNode, CliError> {
        let flags = ConfigLayer {
            port: Some(0),
            data_dir: Some(data_dir.clone()),
            verifier,
            ..ConfigLayer::default()
        };
        let config = Config::load(None, |_| None, flags)?;
        let server = Server::bind(&config).await?;
        let base = format!("http://{}", server.local_addr());
        tokio::spawn(server.run(std::future::pending()));
        Ok(DemoNode {
            token: saifu_server::read_admin_token(&data_dir).map_err(CliError::NoAdminToken)?,
            base,
            http: reqwest::Client::new(),
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CliError> {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.request(method, &url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request
            .send()
            .await
            .map_err(|source| CliError::NodeUnreachable { url, source })?;
        let status = answer.status();
        let value: Value = answer.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(CliError::NodeRejected {
                status,
                error: value["error"].as_str().unwrap_or("error").to_owned(),
                description: value["error_description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        Ok(value)
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, CliError> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
}

/// Runs the demo.
pub async fn run(args: DemoArgs, global: &GlobalArgs) -> Result<(), CliError> {
    if !args.auto {
        return Err(CliError::BadArgument(
            "only `saifu demo --auto` exists so far; for the pages, run `saifu serve` and open /wallet and /portal".into(),
        ));
    }
    let temporary = tempfile_dir()?;
    let data_dir = args.data_dir.unwrap_or_else(|| temporary.join("node"));
    let node = DemoNode::start(data_dir.clone(), None).await?;
    let mut story = Story {
        json: global.json,
        steps: Vec::new(),
    };
    story.say(format!(
        "A saifu node is up at {} (SQLite in {}).",
        node.base,
        data_dir.display()
    ));
    let result = play(&node, &temporary, &mut story).await;
    if global.json {
        output::json(
            &json!({"node": node.base, "steps": story.steps, "completed": result.is_ok()}),
        );
    }
    let _ = std::fs::remove_dir_all(&temporary);
    result
}

/// Collects the narration; prints it as it goes unless JSON was asked for.
struct Story {
    json: bool,
    steps: Vec<String>,
}

impl Story {
    fn say(&mut self, line: String) {
        if !self.json {
            output::line(&line);
        }
        self.steps.push(line);
    }
}

async fn play(node: &DemoNode, dir: &std::path::Path, story: &mut Story) -> Result<(), CliError> {
    node.post(
        "/admin/subjects",
        json!({"id": "hanako", "claims": {
        "given_name": "Hanako", "family_name": "Yamada", "birthdate": "2001-04-12",
        "address": {"street_address": "1-1 Chiyoda", "locality": "Tokyo", "country": "JP"},
        "age_over_18": true, "nationality": "JP",
        "university": "Saifu University", "degree": "BSc Computer Science",
        "graduation_date": "2026-03-20"}}),
    )
    .await?;
    story.say(
        "The national ID registry and Saifu University know Hanako (subject `hanako`).".into(),
    );

    let wallet_path = dir.join("hanako-wallet.sqlite");
    let wallet = Wallet::create(
        &wallet_path,
        b"hanako's passphrase",
        WalletConfig::development(),
    )
    .await?;
    story.say(format!(
        "Hanako creates her wallet: one encrypted file, {}.",
        wallet_path.display()
    ));

    for (config, issuer) in [
        ("pid", "the national ID registry"),
        ("diploma", "Saifu University"),
    ] {
        let offer = node
            .post(
                "/admin/offers",
                json!({"subject": "hanako",
            "credential_configuration_id": config, "tx_code": true, "by_reference": true}),
            )
            .await?;
        let preview = wallet
            .preview_offer(offer["link"].as_str().unwrap_or_default())
            .await?;
        let received = wallet
            .accept_offer(&preview, offer["tx_code"].as_str())
            .await?;
        for credential in &received.credentials {
            story.say(format!(
                "✔ {issuer} issues her {} (PIN sent separately; {} unlinkable copies, each with its own key).",
                credential.display.name,
                credential.copies.len()
            ));
        }
    }

    let degree = json!({"credentials": [{"id": "diploma", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://saifu.dev/vct/diploma"]},
        "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}, {"path": ["degree"]}]}]});
    let report = present(node, &wallet, degree.clone(), "decentralized_identifier").await?;
    story.say(format!(
        "✔ The employer asks for her name and degree and verifies them at once: {} — {}.",
        shown(&report, "diploma", &["given_name", "family_name"]),
        shown(&report, "diploma", &["degree"])
    ));

    let over18 = json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:eudi:pid:1"]}, "claims": [{"path": ["age_over_18"]}]}]});
    let report = present(node, &wallet, over18, "redirect_uri").await?;
    let claims = &report["credentials"]["pid"][0]["claims"];
    story.say(format!(
        "✔ The convenience store checks only `age_over_18` = {}; her birth date was {}.",
        claims["age_over_18"],
        if claims.get("birthdate").is_some() {
            "SHOWN (unexpected)"
        } else {
            "not disclosed"
        }
    ));

    let issued = node
        .call(reqwest::Method::GET, "/admin/credentials", None)
        .await?;
    let mut revoked = 0;
    for record in issued["credentials"].as_array().into_iter().flatten() {
        if record["credential_configuration_id"] == "diploma" {
            let index = record["status_index"].as_i64().unwrap_or_default();
            node.post(&format!("/admin/credentials/{index}/revoke"), json!({}))
                .await?;
            revoked += 1;
        }
    }
    story.say(format!(
        "The university revokes the diploma ({revoked} status list entries)."
    ));
    // A verifier keeps a fetched status list for its ttl; one that has none cached yet (another
    // employer, on its own node trusting the university) sees the revocation at once.
    let settings = VerifierSettings {
        trust_own_issuer: false,
        trusted_issuers: vec![TrustedIssuerSettings {
            issuer: node.base.clone(),
            vct: None,
            jwk: None,
        }],
        ..VerifierSettings::default()
    };
    let other = DemoNode::start(dir.join("other-employer"), Some(settings)).await?;
    match present(&other, &wallet, degree, "decentralized_identifier").await {
        Err(CliError::VerificationFailed { reason, .. }) if reason.contains("status") => {
            story.say(format!(
                "✔ Another employer ({}, trusting the university) checks the diploma: refused, \
                 the status list says revoked. The first employer's node sees it too once its \
                 cached copy of the list expires.",
                other.base
            ));
        }
        Ok(_) => {
            return Err(CliError::VerificationFailed {
                check: "status",
                reason: "a revoked diploma still verified".into(),
                hint: "this is a bug in saifu; please report it".into(),
            });
        }
        Err(other) => return Err(other),
    }
    let history = wallet.history().await?;
    story.say(format!(
        "Hanako's wallet remembers {} presentations: who asked, what was shown, when.",
        history.len()
    ));
    wallet.close().await;
    Ok(())
}

/// A presentation session for `query`, answered by `wallet` with minimal disclosure; the
/// verifier's report when it verified.
async fn present(
    node: &DemoNode,
    wallet: &Wallet,
    query: Value,
    prefix: &str,
) -> Result<Value, CliError> {
    let created = node
        .post(
            "/admin/presentations",
            json!({"dcql_query": query, "client_id_prefix": prefix}),
        )
        .await?;
    let request = wallet
        .open_request(created["link"].as_str().unwrap_or_default())
        .await?;
    let view = wallet.consent(&request).await?;
    let answered = wallet
        .respond(&request, &view, &Approval::minimal(&view))
        .await;
    let id = created["id"].as_str().unwrap_or_default();
    let result = node
        .call(
            reqwest::Method::GET,
            &format!("/admin/presentations/{id}"),
            None,
        )
        .await?;
    match (answered, result["status"].as_str()) {
        (Ok(_), Some("verified")) => Ok(result["report"].clone()),
        (answered, _) => Err(CliError::VerificationFailed {
            check: "presentation",
            reason: failed_check(&result["report"]).unwrap_or_else(|| {
                answered
                    .err()
                    .map_or_else(|| result["status"].to_string(), |e| e.to_string())
            }),
            hint: "see the verifier's report with `saifu verifier result`".into(),
        }),
    }
}

/// `check: reason` of the verifier's first failed check, if any.
fn failed_check(report: &Value) -> Option<String> {
    let failed = report["checks"]
        .as_array()?
        .iter()
        .find(|check| check["outcome"] == "failed")?;
    Some(format!(
        "{} check: {}",
        failed["name"].as_str().unwrap_or_default(),
        failed["reason"].as_str().unwrap_or_default()
    ))
}

fn shown(report: &Value, query: &str, names: &[&str]) -> String {
    let claims = &report["credentials"][query][0]["claims"];
    names
        .iter()
        .map(|n| claims[*n].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fresh directory under the system's temporary directory.
fn tempfile_dir() -> Result<PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!("saifu-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| CliError::Io {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}
