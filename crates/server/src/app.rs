//! The application: its shared state, its router, and serving it until shutdown.

use crate::error::AppError;
use crate::settings::Settings;
use crate::store::{self, CentreId, Store, StoreError};
use crate::{api, pwa};
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use thiserror::Error;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState<S> {
    pub store: S,
    /// The centre requests act for. One centre until accounts arrive; then each request's session
    /// decides it, and this goes.
    pub centre: CentreId,
    /// The built app's folder.
    pub dist: PathBuf,
}

impl<S: Store> AppState<S> {
    pub async fn new(store: S, dist: PathBuf) -> Result<Self, StoreError> {
        let centre = store.default_centre().await?;
        Ok(Self {
            store,
            centre,
            dist,
        })
    }
}

/// The whole HTTP surface: the API under `/api`, the built app everywhere else.
pub fn router<S: Store>(state: AppState<S>) -> Router {
    let dist = state.dist.clone();
    Router::new()
        .nest("/api", api::router(state))
        .merge(pwa::router(dist))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(CatchPanicLayer::custom(|_| AppError::Panic.into_response()))
        .layer(TraceLayer::new_for_http())
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Why the server stopped or could not start.
#[derive(Debug, Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not read the listening address")]
    Address(#[source] std::io::Error),
    #[error("the server failed while serving")]
    Serve(#[source] std::io::Error),
}

/// Opens the database the settings name, then serves on `listener` until `shutdown` completes,
/// letting requests in flight finish. Once ready it logs and prints
/// `Sakhi is serving on http://localhost:PORT`, with the port actually bound.
pub async fn serve(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let address = listener.local_addr().map_err(ServeError::Address)?;
    let store = store::open(&settings.database_url).await?;
    tracing::info!(
        database = %store::redact(&settings.database_url),
        epoch = %store.epoch(),
        "database open"
    );
    if !settings.dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %settings.dist.display(),
            "the app is not built: the API works, the app's pages do not"
        );
    }
    let state = AppState::new(store.clone(), settings.dist).await?;
    let url = public_url(address);
    tracing::info!(%address, "serving");
    println!("Sakhi is serving on {url}");
    let served = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    store.close().await;
    tracing::info!("stopped");
    served.map_err(ServeError::Serve)
}

/// The address to open in a browser. On this computer that is `localhost`, which browsers treat
/// as secure, so the service worker runs; another address is shown as it is.
fn public_url(address: SocketAddr) -> String {
    let ip = address.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        format!("http://localhost:{}", address.port())
    } else {
        format!("http://{address}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_printed_is_localhost_when_this_computer_can_reach_it_so() {
        let url = |text: &str| public_url(text.parse().unwrap());
        assert_eq!(url("127.0.0.1:8080"), "http://localhost:8080");
        assert_eq!(url("0.0.0.0:43117"), "http://localhost:43117");
        assert_eq!(url("[::1]:80"), "http://localhost:80");
        assert_eq!(url("192.168.1.5:8080"), "http://192.168.1.5:8080");
    }
}
