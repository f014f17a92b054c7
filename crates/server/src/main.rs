//! `sakhi-server`: reads the settings, binds the port and serves until SIGTERM or Ctrl-C; or, as
//! `sakhi-server centre add`, prints a one-time code to set up one more centre; or backs up or
//! restores the SQLite database; or, as `sakhi-server demo`, serves a throwaway database of
//! made-up cases for a first look.

use anyhow::Context;
use clap::Parser;
use sakhi_server::{
    CentreCommand, Cli, Clock, Command, Settings, add_centre_code, backup, serve_with_clock,
};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr, so that stdout carries only the line saying where the app is served.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let clock = Clock::system();
    let mut settings = Settings::load(&cli, |name| std::env::var(name).ok())
        .context("Failed to load the settings")?;
    match &cli.command {
        Some(Command::Centre(CentreCommand::Add)) => {
            let lines = add_centre_code(&settings)
                .await
                .context("Failed to make a setup code for a new centre")?;
            println!("{lines}");
            return Ok(());
        }
        Some(Command::Backup { file }) => {
            let bytes = backup::backup(&settings.database_url, file)
                .await
                .context("The backup failed")?;
            println!("Backed up to {} ({bytes} bytes), checked.", file.display());
            return Ok(());
        }
        Some(Command::Restore { file }) => {
            let restored = backup::restore(&settings.database_url, file, clock.now_millis())
                .await
                .context("The restore failed")?;
            println!(
                "Restored from {} with the new epoch {}: phones will send again what it lacks, and everyone logs in again.",
                file.display(),
                restored.epoch
            );
            if let Some(kept) = restored.kept {
                println!("The database it replaced is kept at {}.", kept.display());
            }
            return Ok(());
        }
        Some(Command::RenewEpoch) => {
            let epoch = backup::renew_epoch(&settings.database_url, clock.now_millis())
                .await
                .context("Renewing the epoch failed")?;
            println!(
                "The database now has the epoch {epoch}: phones will send again what it lacks, and everyone logs in again."
            );
            return Ok(());
        }
        Some(Command::Demo) => {
            let demo = sakhi_server::demo::prepare(clock.now_millis())
                .await
                .context("Failed to make the demo")?;
            for line in &demo.lines {
                println!("{line}");
            }
            // Its own new database, whatever the settings say.
            settings.database_url = demo.database_url;
            settings.setup_code = None;
        }
        None => {}
    }
    let listener = TcpListener::bind((settings.address, settings.port))
        .await
        .with_context(|| {
            format!(
                "Failed to listen on {}:{}: is another server using the port? Choose another with --port",
                settings.address, settings.port
            )
        })?;
    serve_with_clock(settings, clock, listener, shutdown_signal())
        .await
        .context("The server stopped with an error")
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what service managers and containers send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
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
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: letting requests in flight finish");
}
