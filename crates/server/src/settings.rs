//! The server's settings: defaults, then a TOML file, then `SAKHI_…` environment variables, then
//! command-line flags, each overriding the one before.

use crate::secrets::normalise_setup_code;
use crate::store::attachments::Limits;
use clap::Parser;
use sakhi_domain::schema::MOST_ATTACHMENT_BYTES;
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
    /// A preset one-time code for the first setup, for automation; otherwise the server makes one
    /// and prints it. Never printed or logged.
    #[serde(default, skip_serializing)]
    pub setup_code: Option<SetupCode>,
    /// The address people reach the server at, such as `https://osc.example.org`. When it starts
    /// with `https://`, responses carry Strict-Transport-Security; it also forms the setup link.
    #[serde(default)]
    pub public_url: Option<String>,
    /// A session unused this long ends. Two weeks: an outreach worker's phone may stay offline
    /// for a week or more at village camps, and must still sync when it comes back.
    pub session_idle_seconds: u64,
    /// A session ends this long after login, however much it is used: 60 days, so a lost phone's
    /// session does not live for ever, while a worker logs in again only every two months.
    pub session_max_seconds: u64,
    /// Take the client's address from `X-Forwarded-For`: only behind a proxy that sets it, or a
    /// client could pick its own address and escape the login rate limit.
    pub trust_forwarded_for: bool,
    /// How much attachment content the server takes, in bytes: one file, one case's files, one
    /// centre's files (settings file: `attachment_file_bytes`, `attachment_case_bytes`,
    /// `attachment_centre_bytes`). Each is held to at most 25 MiB a file, whatever is set.
    #[serde(skip)]
    pub attachments: Limits,
}

/// A secret setting: its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SetupCode(pub String);

impl std::fmt::Debug for SetupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupCode(***)")
    }
}

impl std::str::FromStr for SetupCode {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SetupCode(s.to_owned()))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            database_url: "sqlite://data/sakhi.db".to_owned(),
            dist: PathBuf::from("dist"),
            setup_code: None,
            public_url: None,
            session_idle_seconds: 14 * 24 * 60 * 60,
            session_max_seconds: 60 * 24 * 60 * 60,
            trust_forwarded_for: false,
            attachments: Limits::default(),
        }
    }
}

/// The command line of `sakhi-server`.
// Every flag is global, so that it may also follow a subcommand: `centre add --port 9000`.
#[derive(Clone, Debug, Default, Parser)]
#[command(
    name = "sakhi-server",
    version,
    about = "Sakhi's sync server: stores the centre's cases and serves the app",
    after_help = "Settings come from defaults, then the settings file, then the environment \
                  (SAKHI_ADDRESS, SAKHI_PORT, SAKHI_DATABASE_URL, SAKHI_DIST, SAKHI_SETUP_CODE, \
                  SAKHI_PUBLIC_URL, SAKHI_SESSION_IDLE_SECONDS, SAKHI_SESSION_MAX_SECONDS, \
                  SAKHI_TRUST_FORWARDED_FOR, SAKHI_ATTACHMENT_FILE_BYTES, SAKHI_ATTACHMENT_CASE_BYTES, \
                  SAKHI_ATTACHMENT_CENTRE_BYTES), then these flags."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings file (TOML) [default: sakhi.toml in the working folder, if present]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1]
    #[arg(long, global = true, value_name = "IP")]
    pub address: Option<IpAddr>,
    /// Port to listen on; 0 picks a free one [default: 8080]
    #[arg(long, global = true)]
    pub port: Option<u16>,
    /// Database URL [default: sqlite://data/sakhi.db]
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
    /// Folder of the built app [default: dist]
    #[arg(long, global = true, value_name = "DIR")]
    pub dist: Option<PathBuf>,
    /// One-time code for the first setup, instead of a printed one (for automation; at least 12
    /// characters)
    #[arg(long, global = true, value_name = "CODE")]
    pub setup_code: Option<SetupCode>,
    /// Address people reach the server at; https:// turns on Strict-Transport-Security
    #[arg(long, global = true, value_name = "URL")]
    pub public_url: Option<String>,
    /// A session unused this long ends [default: 1209600, 14 days]
    #[arg(long, global = true, value_name = "SECONDS")]
    pub session_idle_seconds: Option<u64>,
    /// A session ends this long after login [default: 5184000, 60 days]
    #[arg(long, global = true, value_name = "SECONDS")]
    pub session_max_seconds: Option<u64>,
    /// Read the client's address from X-Forwarded-For (only behind a proxy that sets it)
    #[arg(long, global = true)]
    pub trust_forwarded_for: bool,
}

/// What `sakhi-server` does besides serving.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum Command {
    /// Centres of this server
    #[command(subcommand)]
    Centre(CentreCommand),
    /// Writes a consistent copy of the live SQLite database to FILE (a new file), while the server
    /// runs
    Backup {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Replaces the stopped server's SQLite database with the backup FILE, with a new epoch so that
    /// phones send again what it lacks; the replaced database is kept beside it
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// After restoring the database by other means (PostgreSQL's pg_restore): gives it a new epoch
    /// and ends every session, as restore does. Stop every server on it first
    RenewEpoch,
    /// Serves Sakhi on a new throwaway database full of made-up cases and camps, with demo accounts
    /// printed here; it never opens the database the settings name
    Demo,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum CentreCommand {
    /// Prints a one-time code (valid 7 days) with which one more centre and its first
    /// administrator are set up at /setup; the link names the server as the settings do (give
    /// the same --public-url, or --address and --port, as the server runs with)
    Add,
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
    #[error("the setup code must be at least 12 letters or digits")]
    ShortSetupCode,
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
    setup_code: Option<SetupCode>,
    public_url: Option<String>,
    session_idle_seconds: Option<u64>,
    session_max_seconds: Option<u64>,
    trust_forwarded_for: Option<bool>,
    attachment_file_bytes: Option<u64>,
    attachment_case_bytes: Option<u64>,
    attachment_centre_bytes: Option<u64>,
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
        if let Some(code) = &settings.setup_code
            && normalise_setup_code(&code.0).chars().count() < 12
        {
            return Err(SettingsError::ShortSetupCode);
        }
        Ok(settings)
    }

    fn apply(&mut self, overrides: Overrides) {
        let Overrides {
            address,
            port,
            database_url,
            dist,
            setup_code,
            public_url,
            session_idle_seconds,
            session_max_seconds,
            trust_forwarded_for,
            attachment_file_bytes,
            attachment_case_bytes,
            attachment_centre_bytes,
        } = overrides;
        let limits = &mut self.attachments;
        limits.file = attachment_file_bytes
            .unwrap_or(limits.file)
            .min(MOST_ATTACHMENT_BYTES.unsigned_abs());
        limits.case = attachment_case_bytes.unwrap_or(limits.case);
        limits.centre = attachment_centre_bytes.unwrap_or(limits.centre);
        self.setup_code = setup_code.or(self.setup_code.take());
        self.public_url = public_url.or(self.public_url.take());
        self.session_idle_seconds = session_idle_seconds.unwrap_or(self.session_idle_seconds);
        self.session_max_seconds = session_max_seconds.unwrap_or(self.session_max_seconds);
        self.trust_forwarded_for = trust_forwarded_for.unwrap_or(self.trust_forwarded_for);
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
            setup_code: env("SAKHI_SETUP_CODE").map(SetupCode),
            public_url: env("SAKHI_PUBLIC_URL"),
            session_idle_seconds: parsed(
                &env,
                "SAKHI_SESSION_IDLE_SECONDS",
                "a number of seconds",
            )?,
            session_max_seconds: parsed(&env, "SAKHI_SESSION_MAX_SECONDS", "a number of seconds")?,
            trust_forwarded_for: parsed(&env, "SAKHI_TRUST_FORWARDED_FOR", "true or false")?,
            attachment_file_bytes: parsed(
                &env,
                "SAKHI_ATTACHMENT_FILE_BYTES",
                "a number of bytes",
            )?,
            attachment_case_bytes: parsed(
                &env,
                "SAKHI_ATTACHMENT_CASE_BYTES",
                "a number of bytes",
            )?,
            attachment_centre_bytes: parsed(
                &env,
                "SAKHI_ATTACHMENT_CENTRE_BYTES",
                "a number of bytes",
            )?,
        })
    }

    fn from_cli(cli: &Cli) -> Overrides {
        Overrides {
            address: cli.address,
            port: cli.port,
            database_url: cli.database.clone(),
            dist: cli.dist.clone(),
            setup_code: cli.setup_code.clone(),
            public_url: cli.public_url.clone(),
            session_idle_seconds: cli.session_idle_seconds,
            session_max_seconds: cli.session_max_seconds,
            trust_forwarded_for: cli.trust_forwarded_for.then_some(true),
            // Set in the settings file or the environment: a rare change, not worth three flags.
            attachment_file_bytes: None,
            attachment_case_bytes: None,
            attachment_centre_bytes: None,
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
    fn the_account_settings_are_read_and_the_setup_code_never_shows() {
        let env: HashMap<&str, &str> = [
            ("SAKHI_SETUP_CODE", "automation-code-1234"),
            ("SAKHI_PUBLIC_URL", "https://osc.example.org"),
            ("SAKHI_SESSION_IDLE_SECONDS", "60"),
            ("SAKHI_TRUST_FORWARDED_FOR", "true"),
        ]
        .into();
        let settings = Settings::load(
            &cli(&["--config", "/dev/null", "--session-max-seconds", "120"]),
            |name| env.get(name).map(|v| (*v).to_owned()),
        )
        .unwrap();
        assert_eq!(settings.session_idle_seconds, 60);
        assert_eq!(settings.session_max_seconds, 120);
        assert!(settings.trust_forwarded_for);
        assert_eq!(
            settings.public_url.as_deref(),
            Some("https://osc.example.org")
        );
        assert_eq!(
            settings.setup_code.as_ref().unwrap().0,
            "automation-code-1234"
        );
        assert!(!format!("{settings:?}").contains("automation-code"));
        let short = Settings::load(
            &cli(&["--config", "/dev/null", "--setup-code", "abc"]),
            no_env,
        );
        assert!(matches!(short, Err(SettingsError::ShortSetupCode)));
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
