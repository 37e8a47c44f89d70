//! Node configuration, merged from four sources where later ones win:
//! built-in defaults < TOML file (`--config FILE`) < environment (`SAIFU_*`) < command-line flags.
//!
//! | TOML key       | environment          | default                                   |
//! |----------------|----------------------|-------------------------------------------|
//! | `listen`       | `SAIFU_LISTEN`       | `127.0.0.1:8080`                          |
//! | `port`         | `SAIFU_PORT`         | (replaces the port of `listen`)           |
//! | `data_dir`     | `SAIFU_DATA_DIR`     | `$XDG_DATA_HOME/saifu`, else `~/.local/share/saifu` |
//! | `database_url` | `SAIFU_DATABASE_URL` | SQLite file `saifu.db` in `data_dir`      |
//! | `log_format`   | `SAIFU_LOG_FORMAT`   | `text` (or `json`)                        |
//! | `public_url`   | `SAIFU_PUBLIC_URL`   | none                                      |
//! | `admin_token`  | `SAIFU_ADMIN_TOKEN`  | generated into `data_dir/admin-token`     |
//! | `tls_self_signed` | `SAIFU_TLS_SELF_SIGNED` | off: plain http (on: https with `data_dir/tls/`) |
//! | `[issuer]`     | (file only)          | on, with the built-in credential types    |
//! | `[verifier]`   | (file only)          | on, trusting this node's own issuer       |
//! | `[registry]`   | (file only)          | on: a transparency log under `/registry/`, no witnesses |
//! | `[vc_api]`     | (file only)          | on: W3C VC-API issue/verify routes         |
//! | `[wallet]`     | (file only)          | on: the web wallet under `/wallet` |
//! | `[witness]`    | (file only)          | off (on: a tlog-witness at `/witness/add-checkpoint`) |
//!
//! Empty environment variables count as unset. The merge takes the environment as a lookup
//! function, so it is tested without touching the process environment.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;
use url::Url;

use crate::settings::{
    IssuerSettings, RegistrySettings, VcApiSettings, VerifierSettings, WalletSettings,
    WitnessRoleSettings,
};

/// Where a node listens when nothing says otherwise: loopback only, so a fresh node is never
/// exposed to the network by accident.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// The effective configuration of a node, after merging every source.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Address and port the HTTP server binds.
    pub listen: SocketAddr,
    /// Directory for the node's own files; the default SQLite database lives here.
    pub data_dir: PathBuf,
    /// `postgres://…`, `sqlite://…` or a file path; `None` means SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// How log lines are written (to stderr).
    pub log_format: LogFormat,
    /// The URL clients reach this node at, when it differs from the listen address (behind a
    /// reverse proxy or TLS terminator).
    pub public_url: Option<Url>,
    /// The bearer token of the admin API; `None` means the node generates one into its data
    /// directory (where local CLI commands find it).
    pub admin_token: Option<String>,
    /// Serve https with a certificate the node makes for localhost (see `tls`).
    pub tls_self_signed: bool,
    /// The issuer role.
    pub issuer: IssuerSettings,
    /// The verifier role.
    pub verifier: VerifierSettings,
    /// The registry role.
    pub registry: RegistrySettings,
    /// The W3C VC-API routes.
    pub vc_api: VcApiSettings,
    /// The web wallet.
    pub wallet: WalletSettings,
    /// The witness role (for other logs).
    pub witness: WitnessRoleSettings,
}

/// Debug output hides a database password, so a logged configuration never leaks it.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_password),
            )
            .field("log_format", &self.log_format)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("tls_self_signed", &self.tls_self_signed)
            .field("issuer", &self.issuer)
            .field("verifier", &self.verifier)
            .field("registry", &self.registry)
            .field("vc_api", &self.vc_api)
            .field("wallet", &self.wallet)
            .field("witness", &self.witness)
            .finish()
    }
}

/// How log lines are written: `text` for people at a terminal, `json` for log collectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = UnknownLogFormat;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(UnknownLogFormat(other.to_owned())),
        }
    }
}

/// A log format name other than `text` or `json` (from a flag or the environment).
#[derive(Debug, thiserror::Error)]
#[error("unknown log format `{0}`: expected `text` or `json`")]
pub struct UnknownLogFormat(pub String);

/// One source of settings, each one optional: a TOML file, the environment or the flags.
///
/// The CLI fills one from its flags and passes it to [`Config::load`].
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    /// Address and port to bind.
    pub listen: Option<SocketAddr>,
    /// Port to bind, replacing the port of `listen` from this or a lower layer.
    pub port: Option<u16>,
    /// Directory for the node's files.
    pub data_dir: Option<PathBuf>,
    /// Database URL or SQLite path.
    pub database_url: Option<String>,
    /// Log format.
    pub log_format: Option<LogFormat>,
    /// Public URL of the node (validated when the layers are merged).
    pub public_url: Option<String>,
    /// Bearer token of the admin API.
    pub admin_token: Option<String>,
    /// Serve https with a self-signed localhost certificate.
    pub tls_self_signed: Option<bool>,
    /// The issuer role's settings (`[issuer]` in the file).
    pub issuer: Option<IssuerSettings>,
    /// The verifier role's settings (`[verifier]` in the file).
    pub verifier: Option<VerifierSettings>,
    /// The registry role's settings (`[registry]` in the file).
    pub registry: Option<RegistrySettings>,
    /// The VC-API settings (`[vc_api]` in the file).
    pub vc_api: Option<VcApiSettings>,
    /// The web wallet's settings (`[wallet]` in the file).
    pub wallet: Option<WalletSettings>,
    /// The witness role's settings (`[witness]` in the file).
    pub witness: Option<WitnessRoleSettings>,
}

impl ConfigLayer {
    /// Reads a TOML file; unknown keys are rejected so a typo does not silently fall back to a
    /// default.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::ParseFile {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads the `SAIFU_*` variables through `env` (e.g. `|name| std::env::var(name).ok()`).
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| env(name).filter(|value| !value.is_empty());
        Ok(ConfigLayer {
            listen: parse_env(
                var,
                "SAIFU_LISTEN",
                "an IP address and port such as 127.0.0.1:8080",
            )?,
            port: parse_env(var, "SAIFU_PORT", "a port number from 0 to 65535")?,
            data_dir: var("SAIFU_DATA_DIR").map(PathBuf::from),
            database_url: var("SAIFU_DATABASE_URL"),
            log_format: parse_env(var, "SAIFU_LOG_FORMAT", "`text` or `json`")?,
            public_url: var("SAIFU_PUBLIC_URL"),
            admin_token: var("SAIFU_ADMIN_TOKEN"),
            tls_self_signed: parse_env(var, "SAIFU_TLS_SELF_SIGNED", "`true` or `false`")?,
            issuer: None,
            verifier: None,
            registry: None,
            vc_api: None,
            wallet: None,
            witness: None,
        })
    }

    /// This layer with every setting `over` has replaced. A `listen` in `over` also discards a
    /// `port` from below: the higher layer named the whole address.
    fn overlaid_with(self, over: ConfigLayer) -> ConfigLayer {
        let port = match over.listen {
            Some(_) => over.port,
            None => over.port.or(self.port),
        };
        ConfigLayer {
            listen: over.listen.or(self.listen),
            port,
            data_dir: over.data_dir.or(self.data_dir),
            database_url: over.database_url.or(self.database_url),
            log_format: over.log_format.or(self.log_format),
            public_url: over.public_url.or(self.public_url),
            admin_token: over.admin_token.or(self.admin_token),
            tls_self_signed: over.tls_self_signed.or(self.tls_self_signed),
            issuer: over.issuer.or(self.issuer),
            verifier: over.verifier.or(self.verifier),
            registry: over.registry.or(self.registry),
            vc_api: over.vc_api.or(self.vc_api),
            wallet: over.wallet.or(self.wallet),
            witness: over.witness.or(self.witness),
        }
    }
}

impl Config {
    /// Merges defaults < `file` (if given) < environment (looked up through `env`) < `flags`.
    ///
    /// `env` also supplies `XDG_DATA_HOME` and `HOME` for the default data directory.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        flags: ConfigLayer,
    ) -> Result<Config, ConfigError> {
        let file = file.map(ConfigLayer::from_file).transpose()?;
        let merged = file
            .unwrap_or_default()
            .overlaid_with(ConfigLayer::from_env(&env)?)
            .overlaid_with(flags);

        let mut listen = merged.listen.unwrap_or(DEFAULT_LISTEN);
        if let Some(port) = merged.port {
            listen.set_port(port);
        }
        let data_dir = match merged.data_dir {
            Some(dir) => dir,
            None => default_data_dir(&env)?,
        };
        Ok(Config {
            listen,
            data_dir,
            database_url: merged.database_url,
            log_format: merged.log_format.unwrap_or_default(),
            public_url: merged.public_url.map(parse_public_url).transpose()?,
            admin_token: merged.admin_token,
            tls_self_signed: merged.tls_self_signed.unwrap_or(false),
            issuer: merged.issuer.unwrap_or_default(),
            verifier: merged.verifier.unwrap_or_default(),
            registry: merged.registry.unwrap_or_default(),
            vc_api: merged.vc_api.unwrap_or_default(),
            wallet: merged.wallet.unwrap_or_default(),
            witness: merged.witness.unwrap_or_default(),
        })
    }
}

/// Why the configuration could not be assembled; each message names the source to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The `--config` file could not be read.
    #[error("could not read config file {}: {source}", path.display())]
    ReadFile {
        /// The file named by `--config`.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// The config file is not valid TOML or has unknown or mistyped keys.
    #[error("invalid config file {}: {source}", path.display())]
    ParseFile {
        /// The file named by `--config`.
        path: PathBuf,
        /// Where and why parsing failed.
        source: toml::de::Error,
    },

    /// An environment variable holds a value of the wrong shape.
    #[error("environment variable {var}={value:?} is invalid: expected {expected}")]
    InvalidEnv {
        /// The variable's name.
        var: &'static str,
        /// Its value.
        value: String,
        /// What a valid value looks like.
        expected: &'static str,
    },

    /// The public URL is not an absolute http(s) URL.
    #[error(
        "public URL {value:?} is invalid: {reason}; expected an absolute http(s) URL such as \
         https://saifu.example.org"
    )]
    InvalidPublicUrl {
        /// The configured value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },

    /// No data directory is configured and none can be derived.
    #[error(
        "no data directory: neither XDG_DATA_HOME nor HOME is set; set SAIFU_DATA_DIR or pass \
         --data-dir"
    )]
    NoDataDir,
}

/// Parses the variable `name` if it is set, reporting a malformed value with its expected shape.
fn parse_env<T: FromStr>(
    var: impl Fn(&str) -> Option<String>,
    name: &'static str,
    expected: &'static str,
) -> Result<Option<T>, ConfigError> {
    let Some(value) = var(name) else {
        return Ok(None);
    };
    match value.parse() {
        Ok(parsed) => Ok(Some(parsed)),
        Err(_) => Err(ConfigError::InvalidEnv {
            var: name,
            value,
            expected,
        }),
    }
}

/// `$XDG_DATA_HOME/saifu` when that is an absolute path (relative ones are invalid per the XDG
/// Base Directory spec), else `$HOME/.local/share/saifu`.
fn default_data_dir(env: impl Fn(&str) -> Option<String>) -> Result<PathBuf, ConfigError> {
    if let Some(xdg) = env("XDG_DATA_HOME").filter(|dir| Path::new(dir).is_absolute()) {
        return Ok(PathBuf::from(xdg).join("saifu"));
    }
    env("HOME")
        .filter(|home| !home.is_empty())
        .map(|home| PathBuf::from(home).join(".local/share/saifu"))
        .ok_or(ConfigError::NoDataDir)
}

fn parse_public_url(value: String) -> Result<Url, ConfigError> {
    let invalid = |value, reason| ConfigError::InvalidPublicUrl { value, reason };
    match Url::parse(&value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
        Ok(url) => {
            let reason = format!("the scheme is `{}`, not http or https", url.scheme());
            Err(invalid(value, reason))
        }
        Err(e) => Err(invalid(value, e.to_string())),
    }
}

/// The URL with any password replaced by `***`; a value that is no URL is shown only if it
/// cannot hold credentials (a plain SQLite path).
fn redact_password(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only URLs that cannot have credentials refuse a password, and this one has one.
            let _ = parsed.set_password(Some("***"));
            parsed.into()
        }
        Ok(_) => url.to_owned(),
        Err(_) if !url.contains('@') => url.to_owned(),
        Err(_) => "<unparseable URL>".to_owned(),
    }
}
