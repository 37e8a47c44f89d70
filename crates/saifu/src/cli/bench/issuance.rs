//! `saifu bench issuance`: offers with literal claims made through the admin API, then each
//! redeemed as a wallet does (OpenID4VCI 1.0 pre-authorized code flow): token, nonce, a `jwt`
//! key proof, credential. The wallet part also gets the verification bench its credentials.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use saifu_crypto::{KeyType, LocalSigner, PrivateKey, jws};
use saifu_oid4vc::vci::offer::PRE_AUTHORIZED_CODE_GRANT;
use serde_json::{Map, Value, json};

use super::runner::{admin_error_key, run_all, run_paced, send};
use super::stats::{FlowTimer, Summary};
use super::{HolderAlg, Load, Report};
use crate::cli::CliError;
use crate::cli::node::{NodeArgs, NodeClient};

/// Options of `saifu bench issuance`.
#[derive(Debug, Args)]
pub struct IssuanceArgs {
    #[command(flatten)]
    load: Load,
    /// The wallet's key type for its proofs
    #[arg(long, value_enum, default_value = "EdDSA")]
    holder_alg: HolderAlg,
    /// The credential configuration to issue; every claim it names gets a value
    #[arg(long = "credential-config", value_name = "ID", default_value = "pid")]
    config: String,
}

/// Runs the issuance bench against the node `node` names.
pub(super) async fn run(node: &NodeArgs, args: IssuanceArgs) -> Result<Report, CliError> {
    let node = Arc::new(NodeClient::new(node)?);
    let setup = Instant::now();
    let kind = CredentialType::fetch(&node, &args.config).await?;
    let (load, alg) = (args.load, args.holder_alg);
    let offers = Arc::new(OfferMaker {
        node,
        config: args.config.clone(),
        claims: kind.claims.clone(),
    });
    // With --setup-in-flow, one offer up front still names the issuer and checks the path.
    let prepared = offers
        .make_many(load.prepared().max(1), load.concurrency())
        .await?;
    let wallet =
        Arc::new(Wallet::discover(reqwest::Client::new(), &prepared.issuer, &args.config).await?);
    let holders = Arc::new(
        (0..load.concurrency())
            .map(|_| holder(alg))
            .collect::<Result<Vec<_>, _>>()?,
    );
    let codes = Arc::new(if load.setup_in_flow {
        Vec::new()
    } else {
        prepared.codes
    });
    let setup_seconds = setup.elapsed().as_secs_f64();

    let started = Instant::now();
    let flows = run_paced(
        "issuing",
        load.count(),
        load.concurrency(),
        load.rate(),
        move |i| {
            let (wallet, codes, holders) = (wallet.clone(), codes.clone(), holders.clone());
            let offers = offers.clone();
            async move {
                let mut timer = FlowTimer::start();
                let holder = &holders[i % holders.len()];
                let outcome = match codes.get(i) {
                    Some(code) => wallet.redeem(code, holder, &mut timer).await,
                    None => issue_in_flow(&offers, &wallet, i, holder, &mut timer).await,
                };
                timer.finish(outcome)
            }
        },
    )
    .await;
    Ok(Report {
        bench: "issuance",
        count: load.count(),
        concurrency: load.concurrency(),
        rate: load.rate(),
        setup_in_flow: load.setup_in_flow,
        settings: json!({
            "credential_configuration_id": args.config,
            "claims": kind.claims.len(),
            "holder_alg": alg.name(),
        }),
        setup_seconds,
        summary: Summary::of(&flows, started.elapsed()),
    })
}

/// A flow that makes its own offer (the `offer` step), then redeems it.
async fn issue_in_flow(
    offers: &OfferMaker,
    wallet: &Wallet,
    i: usize,
    holder: &LocalSigner,
    timer: &mut FlowTimer,
) -> Result<String, String> {
    let offer = offers.make(i).await.map_err(|e| admin_error_key(&e))?;
    timer.step("offer");
    wallet.redeem(&offer.code, holder, timer).await
}

/// A fresh holder key of type `alg`.
pub(super) fn holder(alg: HolderAlg) -> Result<LocalSigner, CliError> {
    let key_type = match alg {
        HolderAlg::EdDsa => KeyType::Ed25519,
        HolderAlg::Es256 => KeyType::P256,
    };
    Ok(LocalSigner::new(PrivateKey::generate(key_type)?)?)
}

/// A credential configuration of the node: its `vct` and its claim names, in order.
pub(super) struct CredentialType {
    /// The SD-JWT VC type.
    pub vct: String,
    /// The top-level claim names.
    pub claims: Vec<String>,
}

impl CredentialType {
    /// Reads configuration `id` from the admin API (the first admin call: a wrong token fails
    /// here, before any load).
    pub async fn fetch(node: &NodeClient, id: &str) -> Result<CredentialType, CliError> {
        let listed = node.get("/admin/configurations").await?;
        let configurations = &listed["credential_configurations_supported"];
        let Some(config) = configurations.get(id) else {
            let known: Vec<&str> = configurations
                .as_object()
                .map(|all| all.keys().map(String::as_str).collect())
                .unwrap_or_default();
            return Err(CliError::BadArgument(format!(
                "the node has no credential configuration `{id}` (it has: {})",
                known.join(", ")
            )));
        };
        let claims = config["credential_metadata"]["claims"]
            .as_array()
            .map(|claims| {
                claims
                    .iter()
                    .filter_map(|claim| claim["path"][0].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok(CredentialType {
            vct: config["vct"].as_str().unwrap_or_default().to_owned(),
            claims,
        })
    }
}

/// Makes offers of one credential configuration through the admin API, each with a value for
/// every claim.
pub(super) struct OfferMaker {
    /// The node's admin API.
    pub node: Arc<NodeClient>,
    /// The credential configuration offered.
    pub config: String,
    /// The claims each offer gives a value (`"{claim} {i}"` for offer `i`).
    pub claims: Vec<String>,
}

/// One offer: its pre-authorized code and the issuer that redeems it.
pub(super) struct Offer {
    /// The pre-authorized code.
    pub code: String,
    /// The offer's `credential_issuer`.
    pub issuer: String,
}

/// Offers made before the clock: their pre-authorized codes and the issuer that redeems them.
pub(super) struct Offers {
    /// One pre-authorized code per offer.
    pub codes: Vec<String>,
    /// The `credential_issuer` of the offers.
    pub issuer: String,
}

impl OfferMaker {
    /// Offer number `i`.
    pub async fn make(&self, i: usize) -> Result<Offer, CliError> {
        let values: Map<String, Value> = self
            .claims
            .iter()
            .map(|name| (name.clone(), Value::String(format!("{name} {i}"))))
            .collect();
        // A wallet-driving load needs the link only, not its QR code.
        let body =
            json!({"credential_configuration_id": self.config, "claims": values, "qr": false});
        let created = self.node.post("/admin/offers", &body).await?;
        let offer = &created["credential_offer"];
        let code = offer["grants"][PRE_AUTHORIZED_CODE_GRANT]["pre-authorized_code"].as_str();
        let (Some(code), Some(issuer)) = (code, offer["credential_issuer"].as_str()) else {
            return Err(CliError::BadArgument(format!(
                "the node's offer has no pre-authorized code: {offer}"
            )));
        };
        Ok(Offer {
            code: code.to_owned(),
            issuer: issuer.to_owned(),
        })
    }

    /// `count` offers (at least one), made on `concurrency` workers.
    pub async fn make_many(
        self: &Arc<Self>,
        count: usize,
        concurrency: usize,
    ) -> Result<Offers, CliError> {
        let maker = self.clone();
        let made = run_all("offers", count, concurrency, move |i| {
            let maker = maker.clone();
            async move { maker.make(i).await }
        })
        .await;
        let mut offers = Offers {
            codes: Vec::with_capacity(count),
            issuer: String::new(),
        };
        for offer in made {
            let offer = offer?;
            offers.codes.push(offer.code);
            offers.issuer = offer.issuer;
        }
        Ok(offers)
    }
}

/// A wallet redeeming offers of one configuration at one issuer.
pub(super) struct Wallet {
    http: reqwest::Client,
    issuer: String,
    config: String,
    token_endpoint: String,
    nonce_endpoint: String,
    credential_endpoint: String,
}

impl Wallet {
    /// Finds the issuer's endpoints in its metadata, as a wallet does; its requests go over
    /// `http` (a keep-alive connection pool shared by every worker).
    pub async fn discover(
        http: reqwest::Client,
        issuer: &str,
        config: &str,
    ) -> Result<Wallet, CliError> {
        let metadata = |path: &str| {
            let url = format!("{issuer}{path}");
            let request = http.get(&url);
            async move {
                send(request).await.map_err(|key| {
                    CliError::BadArgument(format!("cannot read the metadata at {url}: {key}"))
                })
            }
        };
        let vci = metadata("/.well-known/openid-credential-issuer").await?;
        let oauth = metadata("/.well-known/oauth-authorization-server").await?;
        let endpoint = |metadata: &Value, name: &str| {
            metadata[name].as_str().map(str::to_owned).ok_or_else(|| {
                CliError::BadArgument(format!("the issuer metadata names no {name}"))
            })
        };
        Ok(Wallet {
            token_endpoint: endpoint(&oauth, "token_endpoint")?,
            nonce_endpoint: endpoint(&vci, "nonce_endpoint")?,
            credential_endpoint: endpoint(&vci, "credential_endpoint")?,
            http,
            issuer: issuer.to_owned(),
            config: config.to_owned(),
        })
    }

    /// Redeems pre-authorized `code` for a credential bound to `holder`, timing each step; the
    /// credential, or the error key of the step that failed.
    pub async fn redeem(
        &self,
        code: &str,
        holder: &LocalSigner,
        timer: &mut FlowTimer,
    ) -> Result<String, String> {
        let form = [
            ("grant_type", PRE_AUTHORIZED_CODE_GRANT),
            ("pre-authorized_code", code),
        ];
        let token = send(self.http.post(&self.token_endpoint).form(&form)).await?;
        timer.step("token");
        let access_token = field(&token, "access_token")?;
        let nonce = send(self.http.post(&self.nonce_endpoint)).await?;
        timer.step("nonce");
        let proof = proof(holder, &self.issuer, field(&nonce, "c_nonce")?).await?;
        timer.step("proof");
        let request =
            json!({"credential_configuration_id": self.config, "proofs": {"jwt": [proof]}});
        let issued = send(
            self.http
                .post(&self.credential_endpoint)
                .bearer_auth(access_token)
                .json(&request),
        )
        .await?;
        timer.step("credential");
        field(&issued["credentials"][0], "credential").map(str::to_owned)
    }
}

/// The string member `name` of an answer, or an error key naming it.
fn field<'a>(answer: &'a Value, name: &str) -> Result<&'a str, String> {
    answer[name]
        .as_str()
        .ok_or_else(|| format!("answer without {name}"))
}

/// A `jwt` key proof (OpenID4VCI 1.0 App. F.1) of `holder` for `nonce`, addressed to `issuer`.
async fn proof(holder: &LocalSigner, issuer: &str, nonce: &str) -> Result<String, String> {
    let jwk = serde_json::to_value(holder.private_key().public_key().to_jwk())
        .map_err(|e| format!("proof: {e}"))?;
    let mut header = Map::new();
    header.insert("typ".into(), "openid4vci-proof+jwt".into());
    header.insert("jwk".into(), jwk);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let claims = json!({"aud": issuer, "iat": now, "nonce": nonce});
    jws::sign_compact(&header, claims.to_string().as_bytes(), holder)
        .await
        .map_err(|e| format!("proof: {e}"))
}
