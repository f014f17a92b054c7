//! A database of its own for each test, of either backend: a SQLite file in a temporary folder, or
//! a PostgreSQL database made on the server that `SAKHI_TEST_POSTGRES_URL` names and dropped when
//! the test ends, passed or failed.
//!
//! The API's tests and the store's use it alike, so that a test is written once and run on both
//! backends.

use sqlx::{Connection, PgConnection};
use tempfile::TempDir;

/// The variable naming a PostgreSQL server the tests may create databases on: a URL of a role
/// with CREATEDB, such as `postgres://postgres:secret@localhost:5432/postgres`.
pub const POSTGRES_URL_VARIABLE: &str = "SAKHI_TEST_POSTGRES_URL";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's database. Dropping it removes it.
pub struct TestDatabase {
    url: String,
    place: Place,
}

enum Place {
    /// The folder holding the SQLite file, removed with it.
    Sqlite { _folder: TempDir },
    /// A database on a shared server, dropped through the administrator's URL.
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new, empty database: the server under test makes its schema when it opens it.
    pub async fn new(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let folder = tempfile::tempdir().expect("Failed to make a temporary folder");
                TestDatabase {
                    url: format!("sqlite://{}", folder.path().join("sakhi.db").display()),
                    place: Place::Sqlite { _folder: folder },
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!("sakhi_test_{}", uuid::Uuid::now_v7().simple());
                let mut admin = PgConnection::connect(&admin_url).await.unwrap_or_else(|error| {
                    panic!("Failed to connect to the PostgreSQL server of {POSTGRES_URL_VARIABLE}: {error}")
                });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap_or_else(|error| {
                        panic!("Failed to create the database {name}: {error}")
                    });
                admin.close().await.ok();
                TestDatabase {
                    url: sakhi_server::store::postgres::with_database(&admin_url, &name),
                    place: Place::Postgres { admin_url, name },
                }
            }
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Place::Postgres { admin_url, name } = &self.place else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop cannot wait on the test's runtime: a thread of its own runs the statement. FORCE
        // ends the connections a server under test may still hold.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .map_err(|error| error.to_string())?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map_err(|error| format!("{name}: {error}"))?;
                admin.close().await.ok();
                Ok::<(), String>(())
            })
        })
        .join();
        // A database left behind takes room on a throwaway server and breaks nothing: say so
        // rather than panic while a failed test may already be unwinding.
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("Failed to drop a test database: {error}"),
            Err(_) => eprintln!("Failed to drop a test database: the thread panicked"),
        }
    }
}

/// The administrator's URL, or a failure saying how to get one: the PostgreSQL variants of the
/// tests must never pass by not running.
fn postgres_admin_url() -> String {
    match std::env::var(POSTGRES_URL_VARIABLE) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{POSTGRES_URL_VARIABLE} is not set, so the PostgreSQL variant of this test cannot \
             run. Run `cargo xtask test server` (or `cargo xtask test`): it starts a throwaway \
             PostgreSQL server and sets the variable. Or set it to a role that may create \
             databases, e.g. postgres://postgres:secret@localhost:5432/postgres. To run only the \
             SQLite variants: cargo test -p sakhi-server sqlite"
        ),
    }
}
