//! The server's settings: defaults, then a TOML file, then `SAKHI_…` environment variables, then
//! command-line flags, each overriding the one before.

use clap::Parser;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The settings file read from the working folder when `--config` does not name one.
pub const CONFIG_FILE: &str = "sakhi.toml";

/// Everything the server needs to start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The address to listen on: 127.0.0.1 for this computer only, 0.0.0.0 for the network.
    pub address: IpAddr,
    pub port: u16,
    /// Where the data lives, e.g. `sqlite://data/sakhi.db`. A SQLite file and its folder are
    /// created if missing.
    pub database_url: String,
    /// The built app (Trunk's output), served at `/`.
    pub dist: PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            database_url: "sqlite://data/sakhi.db".to_owned(),
            dist: PathBuf::from("dist"),
        }
    }
}

/// The command line of `sakhi-server`.
#[derive(Clone, Debug, Default, Parser)]
#[command(
    name = "sakhi-server",
    version,
    about = "Sakhi's sync server: stores the centre's cases and serves the app",
    after_help = "Settings come from defaults, then the settings file, then the environment \
                  (SAKHI_ADDRESS, SAKHI_PORT, SAKHI_DATABASE_URL, SAKHI_DIST), then these flags."
)]
pub struct Cli {
    /// Settings file (TOML) [default: sakhi.toml in the working folder, if present]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1]
    #[arg(long, value_name = "IP")]
    pub address: Option<IpAddr>,
    /// Port to listen on; 0 picks a free one [default: 8080]
    #[arg(long)]
    pub port: Option<u16>,
    /// Database URL [default: sqlite://data/sakhi.db]
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Folder of the built app [default: dist]
    #[arg(long, value_name = "DIR")]
    pub dist: Option<PathBuf>,
}

/// Why the settings could not be loaded. Each message names the source to fix.
#[derive(Debug, Error)]
pub enum SettingsError {
    #[error("could not read the settings file {path}")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the settings file {path} is not valid: {message}")]
    ParseFile { path: PathBuf, message: String },
    #[error("the environment variable {name} must be {expected}, not {value:?}")]
    Env {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
}

/// One source's settings: whatever it sets overrides what came before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    address: Option<IpAddr>,
    port: Option<u16>,
    database_url: Option<String>,
    dist: Option<PathBuf>,
}

impl Settings {
    /// Loads the settings: defaults, then the settings file (`cli.config`, or [`CONFIG_FILE`] in
    /// the working folder if present), then the environment read through `env`, then the flags.
    /// `env` is a parameter so that callers choose the environment (the binary passes
    /// `std::env::var`).
    pub fn load(
        cli: &Cli,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingsError> {
        let file = match &cli.config {
            Some(path) => Some(Overrides::from_file(path)?),
            None if Path::new(CONFIG_FILE).is_file() => {
                Some(Overrides::from_file(Path::new(CONFIG_FILE))?)
            }
            None => None,
        };
        let mut settings = Settings::default();
        if let Some(file) = file {
            settings.apply(file);
        }
        settings.apply(Overrides::from_env(env)?);
        settings.apply(Overrides::from_cli(cli));
        Ok(settings)
    }

    fn apply(&mut self, overrides: Overrides) {
        let Overrides {
            address,
            port,
            database_url,
            dist,
        } = overrides;
        self.address = address.unwrap_or(self.address);
        self.port = port.unwrap_or(self.port);
        self.database_url = database_url.unwrap_or(std::mem::take(&mut self.database_url));
        self.dist = dist.unwrap_or(std::mem::take(&mut self.dist));
    }
}

impl Overrides {
    fn from_toml(text: &str) -> Result<Overrides, String> {
        toml::from_str(text).map_err(|error| error.to_string().trim_end().to_owned())
    }

    fn from_file(path: &Path) -> Result<Overrides, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        Overrides::from_toml(&text).map_err(|message| SettingsError::ParseFile {
            path: path.to_owned(),
            message,
        })
    }

    fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Overrides, SettingsError> {
        fn parsed<T: std::str::FromStr>(
            env: &impl Fn(&str) -> Option<String>,
            name: &'static str,
            expected: &'static str,
        ) -> Result<Option<T>, SettingsError> {
            match env(name) {
                None => Ok(None),
                Some(value) => value
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| SettingsError::Env {
                        name,
                        expected,
                        value,
                    }),
            }
        }
        Ok(Overrides {
            address: parsed(&env, "SAKHI_ADDRESS", "an IP address such as 127.0.0.1")?,
            port: parsed(&env, "SAKHI_PORT", "a port number from 0 to 65535")?,
            database_url: env("SAKHI_DATABASE_URL"),
            dist: env("SAKHI_DIST").map(PathBuf::from),
        })
    }

    fn from_cli(cli: &Cli) -> Overrides {
        Overrides {
            address: cli.address,
            port: cli.port,
            database_url: cli.database.clone(),
            dist: cli.dist.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("sakhi-server").chain(args.iter().copied())).unwrap()
    }

    fn settings_file(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn without_any_source_the_defaults_apply() {
        let settings = Settings::load(&cli(&["--config", "/dev/null"]), no_env).unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(settings.address.to_string(), "127.0.0.1");
        assert_eq!(settings.port, 8080);
        assert_eq!(settings.database_url, "sqlite://data/sakhi.db");
        assert_eq!(settings.dist, PathBuf::from("dist"));
    }

    #[test]
    fn the_file_overrides_defaults_the_environment_overrides_the_file_and_flags_override_all() {
        let file = settings_file(
            "address = \"0.0.0.0\"\nport = 9000\ndatabase_url = \"sqlite://file.db\"\ndist = \"from-file\"\n",
        );
        let path = file.path().to_str().unwrap();
        let env: HashMap<&str, &str> = [("SAKHI_PORT", "9100"), ("SAKHI_DIST", "from-env")].into();
        let env = |name: &str| env.get(name).map(|v| (*v).to_owned());

        let settings =
            Settings::load(&cli(&["--config", path, "--dist", "from-flag"]), env).unwrap();

        assert_eq!(settings.address.to_string(), "0.0.0.0");
        assert_eq!(settings.database_url, "sqlite://file.db");
        assert_eq!(settings.port, 9100);
        assert_eq!(settings.dist, PathBuf::from("from-flag"));
    }

    #[test]
    fn every_flag_and_variable_is_read() {
        let flags = cli(&[
            "--address",
            "::1",
            "--port",
            "0",
            "--database",
            "sqlite::memory:",
            "--dist",
            "web",
            "--config",
            "/dev/null",
        ]);
        let settings = Settings::load(&flags, no_env).unwrap();
        assert_eq!(settings.address.to_string(), "::1");
        assert_eq!(settings.port, 0);
        assert_eq!(settings.database_url, "sqlite::memory:");
        assert_eq!(settings.dist, PathBuf::from("web"));

        let env: HashMap<&str, &str> = [
            ("SAKHI_ADDRESS", "0.0.0.0"),
            ("SAKHI_PORT", "81"),
            ("SAKHI_DATABASE_URL", "sqlite://x.db"),
            ("SAKHI_DIST", "site"),
        ]
        .into();
        let settings = Settings::load(&cli(&["--config", "/dev/null"]), |name| {
            env.get(name).map(|v| (*v).to_owned())
        })
        .unwrap();
        assert_eq!(settings.address.to_string(), "0.0.0.0");
        assert_eq!(settings.port, 81);
        assert_eq!(settings.database_url, "sqlite://x.db");
        assert_eq!(settings.dist, PathBuf::from("site"));
    }

    #[test]
    fn a_mistyped_setting_in_the_file_is_named_in_the_error() {
        let file = settings_file("prot = 8080\n");
        let path = file.path().to_str().unwrap();
        let error = Settings::load(&cli(&["--config", path]), no_env).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(path), "{message}");
        assert!(message.contains("prot"), "{message}");
    }

    #[test]
    fn a_port_out_of_range_in_the_file_is_refused() {
        let file = settings_file("port = 70000\n");
        let path = file.path().to_str().unwrap();
        let error = Settings::load(&cli(&["--config", path]), no_env).unwrap_err();
        assert!(error.to_string().contains("port"), "{error}");
    }

    #[test]
    fn a_missing_settings_file_named_on_the_command_line_is_an_error() {
        let error = Settings::load(&cli(&["--config", "/no/such/sakhi.toml"]), no_env).unwrap_err();
        assert!(error.to_string().contains("/no/such/sakhi.toml"));
    }

    #[test]
    fn a_bad_environment_variable_is_named_with_what_it_must_be() {
        let error = Settings::load(&cli(&["--config", "/dev/null"]), |name| {
            (name == "SAKHI_PORT").then(|| "eighty".to_owned())
        })
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("SAKHI_PORT"), "{message}");
        assert!(message.contains("port number"), "{message}");
    }

    #[test]
    fn bad_flags_are_refused_by_the_parser() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("sakhi-server").chain(args.iter().copied()))
        };
        assert!(parse(&["--port", "eighty"]).is_err());
        assert!(parse(&["--address", "localhost"]).is_err());
        assert!(parse(&["--colour"]).is_err());
    }
}
