//! `saifu demo --auto`: the story played headless against real nodes, with a narrated trace in
//! which every verification is the node's real verifier.

use saifu_server::{TrustedIssuerSettings, VerifierSettings};
use saifu_wallet::present::Approval;
use saifu_wallet::{Wallet, WalletConfig};
use serde_json::{Value, json};

use super::node::DemoNode;
use super::seed;
use crate::cli::{CliError, output};

/// Collects the narration; prints it as it goes unless JSON was asked for.
pub(super) struct Story {
    pub(super) json: bool,
    pub(super) steps: Vec<String>,
}

impl Story {
    pub(super) fn say(&mut self, line: String) {
        if !self.json {
            output::line(&line);
        }
        self.steps.push(line);
    }
}

pub(super) async fn play(
    node: &DemoNode,
    dir: &std::path::Path,
    story: &mut Story,
) -> Result<(), CliError> {
    node.post("/admin/subjects", seed::hanako()).await?;
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

    let degree = seed::degree_query();
    let report = present(node, &wallet, degree.clone(), "decentralized_identifier").await?;
    story.say(format!(
        "✔ The employer asks for her name and degree and verifies them at once: {} — {}.",
        shown(&report, "diploma", &["given_name", "family_name"]),
        shown(&report, "diploma", &["degree"])
    ));

    let over18 = seed::over_18_query();
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
    let other = DemoNode::start(dir.join("other-employer"), 0, Some(settings)).await?;
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
