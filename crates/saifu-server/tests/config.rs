//! Configuration merging: defaults < file < environment < flags, and every rejection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use saifu_server::{Config, ConfigError, ConfigLayer, DEFAULT_LISTEN, LogFormat};

/// An environment holding exactly `vars`.
fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn write_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("saifu.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let config = Config::load(None, env(&[("HOME", "/home/ana")]), ConfigLayer::default()).unwrap();
    assert_eq!(config.listen, DEFAULT_LISTEN);
    assert_eq!(config.listen, addr("127.0.0.1:8080"));
    assert_eq!(config.data_dir, Path::new("/home/ana/.local/share/saifu"));
    assert_eq!(config.database_url, None);
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.public_url, None);
}

#[test]
fn xdg_data_home_is_used_when_absolute() {
    let vars = [("HOME", "/home/ana"), ("XDG_DATA_HOME", "/xdg")];
    let config = Config::load(None, env(&vars), ConfigLayer::default()).unwrap();
    assert_eq!(config.data_dir, Path::new("/xdg/saifu"));

    let vars = [("HOME", "/home/ana"), ("XDG_DATA_HOME", "relative/xdg")];
    let config = Config::load(None, env(&vars), ConfigLayer::default()).unwrap();
    assert_eq!(config.data_dir, Path::new("/home/ana/.local/share/saifu"));
}

#[test]
fn file_is_overridden_by_env_which_is_overridden_by_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        r#"
        listen = "0.0.0.0:1000"
        data_dir = "/from/file"
        database_url = "sqlite:///from/file.db"
        log_format = "json"
        public_url = "https://file.example.org"
        "#,
    );
    let vars = [
        ("SAIFU_PORT", "2000"),
        ("SAIFU_DATA_DIR", "/from/env"),
        (
            "SAIFU_DATABASE_URL",
            "postgres://saifu@db.example.org/saifu",
        ),
    ];
    let flags = ConfigLayer {
        data_dir: Some("/from/flags".into()),
        ..ConfigLayer::default()
    };
    let config = Config::load(Some(&file), env(&vars), flags).unwrap();

    assert_eq!(
        config.listen,
        addr("0.0.0.0:2000"),
        "env port on file address"
    );
    assert_eq!(config.data_dir, Path::new("/from/flags"), "flags win");
    assert_eq!(
        config.database_url.as_deref(),
        Some("postgres://saifu@db.example.org/saifu"),
        "env beats file"
    );
    assert_eq!(config.log_format, LogFormat::Json, "file beats default");
    assert_eq!(
        config.public_url.as_ref().map(|u| u.as_str()),
        Some("https://file.example.org/")
    );
}

#[test]
fn higher_listen_replaces_a_lower_port_and_higher_port_replaces_its_port() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "port = 7000\n");
    let vars = [("HOME", "/h"), ("SAIFU_LISTEN", "127.0.0.2:9000")];

    let config = Config::load(Some(&file), env(&vars), ConfigLayer::default()).unwrap();
    assert_eq!(config.listen, addr("127.0.0.2:9000"));

    let flags = ConfigLayer {
        port: Some(5),
        ..ConfigLayer::default()
    };
    let config = Config::load(Some(&file), env(&vars), flags).unwrap();
    assert_eq!(config.listen, addr("127.0.0.2:5"));

    let flags = ConfigLayer {
        listen: Some(addr("[::1]:6000")),
        log_format: Some(LogFormat::Json),
        ..ConfigLayer::default()
    };
    let config = Config::load(Some(&file), env(&vars), flags).unwrap();
    assert_eq!(config.listen, addr("[::1]:6000"));
    assert_eq!(config.log_format, LogFormat::Json);
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let vars = [
        ("HOME", "/h"),
        ("SAIFU_PORT", ""),
        ("SAIFU_DATABASE_URL", ""),
        ("SAIFU_LOG_FORMAT", ""),
    ];
    let config = Config::load(None, env(&vars), ConfigLayer::default()).unwrap();
    assert_eq!(config.listen, DEFAULT_LISTEN);
    assert_eq!(config.database_url, None);
}

#[test]
fn every_environment_variable_is_read() {
    let vars = [
        ("SAIFU_LISTEN", "0.0.0.0:80"),
        ("SAIFU_DATA_DIR", "/srv/saifu"),
        ("SAIFU_DATABASE_URL", "/srv/saifu/other.db"),
        ("SAIFU_LOG_FORMAT", "json"),
        ("SAIFU_PUBLIC_URL", "http://node.example.org/base"),
        ("SAIFU_TLS_SELF_SIGNED", "true"),
    ];
    let config = Config::load(None, env(&vars), ConfigLayer::default()).unwrap();
    assert!(config.tls_self_signed);
    assert_eq!(config.listen, addr("0.0.0.0:80"));
    assert_eq!(config.data_dir, Path::new("/srv/saifu"));
    assert_eq!(config.database_url.as_deref(), Some("/srv/saifu/other.db"));
    assert_eq!(config.log_format, LogFormat::Json);
    assert_eq!(
        config.public_url.unwrap().as_str(),
        "http://node.example.org/base"
    );
}

#[test]
fn missing_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.toml");
    let err = Config::load(
        Some(&missing),
        env(&[("HOME", "/h")]),
        ConfigLayer::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, ConfigError::ReadFile { path, .. } if path == &missing),
        "{err:?}"
    );
}

#[test]
fn malformed_toml_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "listen = \n");
    let err =
        Config::load(Some(&file), env(&[("HOME", "/h")]), ConfigLayer::default()).unwrap_err();
    assert!(
        matches!(&err, ConfigError::ParseFile { path, .. } if path == &file),
        "{err:?}"
    );
}

#[test]
fn unknown_key_in_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "lisen = \"127.0.0.1:1\"\n");
    let err =
        Config::load(Some(&file), env(&[("HOME", "/h")]), ConfigLayer::default()).unwrap_err();
    assert!(matches!(err, ConfigError::ParseFile { .. }), "{err:?}");
    assert!(err.to_string().contains("lisen"), "{err}");
}

#[test]
fn wrongly_typed_value_in_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "log_format = \"xml\"\n");
    let err =
        Config::load(Some(&file), env(&[("HOME", "/h")]), ConfigLayer::default()).unwrap_err();
    assert!(matches!(err, ConfigError::ParseFile { .. }), "{err:?}");
}

#[test]
fn malformed_environment_values_are_reported() {
    for (var, value) in [
        ("SAIFU_PORT", "80a"),
        ("SAIFU_PORT", "70000"),
        ("SAIFU_LISTEN", "localhost"),
        ("SAIFU_LOG_FORMAT", "xml"),
        ("SAIFU_TLS_SELF_SIGNED", "yes"),
    ] {
        let err = Config::load(
            None,
            env(&[("HOME", "/h"), (var, value)]),
            ConfigLayer::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, ConfigError::InvalidEnv { var: v, value: got, .. } if *v == var && got == value),
            "{var}={value}: {err:?}"
        );
    }
}

#[test]
fn public_url_must_be_absolute_http_or_https() {
    for value in [
        "ftp://node.example.org",
        "node.example.org",
        "mailto:ops@example.org",
    ] {
        let flags = ConfigLayer {
            public_url: Some(value.to_owned()),
            ..ConfigLayer::default()
        };
        let err = Config::load(None, env(&[("HOME", "/h")]), flags).unwrap_err();
        assert!(
            matches!(&err, ConfigError::InvalidPublicUrl { value: got, .. } if got == value),
            "{value}: {err:?}"
        );
    }
}

#[test]
fn no_home_and_no_data_dir_is_reported() {
    let err = Config::load(None, env(&[]), ConfigLayer::default()).unwrap_err();
    assert!(matches!(err, ConfigError::NoDataDir), "{err:?}");

    let flags = ConfigLayer {
        data_dir: Some("/explicit".into()),
        ..ConfigLayer::default()
    };
    let config = Config::load(None, env(&[]), flags).unwrap();
    assert_eq!(config.data_dir, Path::new("/explicit"));
}

#[test]
fn log_format_names_are_parsed() {
    assert_eq!("text".parse::<LogFormat>().unwrap(), LogFormat::Text);
    assert_eq!("json".parse::<LogFormat>().unwrap(), LogFormat::Json);
    let err = "JSON".parse::<LogFormat>().unwrap_err();
    assert_eq!(err.0, "JSON");
}

#[test]
fn debug_output_hides_the_database_password() {
    let vars = [
        ("HOME", "/h"),
        (
            "SAIFU_DATABASE_URL",
            "postgres://saifu:s3cret@db.example.org/saifu",
        ),
    ];
    let config = Config::load(None, env(&vars), ConfigLayer::default()).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("s3cret"), "{debug}");
    assert!(
        debug.contains("postgres://saifu:***@db.example.org/saifu"),
        "{debug}"
    );
}

#[test]
fn tls_and_vc_api_settings_come_from_the_file_and_default_sensibly() {
    let defaults = Config::load(None, env(&[("HOME", "/h")]), ConfigLayer::default()).unwrap();
    assert!(!defaults.tls_self_signed);
    assert!(defaults.vc_api.enabled && defaults.vc_api.status);
    assert!(
        !defaults.vc_api.open_issuance,
        "issuing needs the admin token by default"
    );
    assert_eq!(defaults.vc_api.cryptosuite, "eddsa-rdfc-2022");

    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "tls_self_signed = true\n[vc_api]\nopen_issuance = true\ncryptosuite = \"ecdsa-rdfc-2019\"\n",
    );
    let config = Config::load(Some(&file), env(&[("HOME", "/h")]), ConfigLayer::default()).unwrap();
    assert!(config.tls_self_signed);
    assert!(config.vc_api.open_issuance && config.vc_api.enabled);
    assert_eq!(config.vc_api.cryptosuite, "ecdsa-rdfc-2019");

    let file = write_file(dir.path(), "[vc_api]\nopen = true\n");
    let err =
        Config::load(Some(&file), env(&[("HOME", "/h")]), ConfigLayer::default()).unwrap_err();
    assert!(matches!(err, ConfigError::ParseFile { .. }), "{err:?}");
}
