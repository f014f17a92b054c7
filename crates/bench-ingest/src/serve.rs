//! The hidden `serve` command: this binary as the sync server, run the way `sakhi-server`'s own
//! `main` runs the same library, for when no built server is named. It keeps the server in a
//! process of its own, so that its memory is measured alone and its one line on stdout does not
//! mix with the figures.

use anyhow::Context;
use sakhi_server::{Cli, Settings, serve};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Serves until SIGTERM or Ctrl-C. Mirrors `crates/server/src/main.rs`: keep them in step.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    // What `#[tokio::main]` builds for the real binary.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("Failed to start the async runtime")?;
    runtime.block_on(async {
        let settings = Settings::load(&cli, |name| std::env::var(name).ok())
            .context("Failed to load the settings")?;
        let listener = TcpListener::bind((settings.address, settings.port))
            .await
            .with_context(|| {
                format!("Failed to listen on {}:{}", settings.address, settings.port)
            })?;
        serve(settings, listener, shutdown_signal())
            .await
            .context("The server stopped with an error")
    })
}

/// Completes on Ctrl-C or SIGTERM, which is how the benchmark stops the server.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let terminate = async {
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
