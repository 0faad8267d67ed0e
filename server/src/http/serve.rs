//! The accept loop: `axum::serve`'s, with read timeouts. `axum::serve`
//! gives hyper no timer, so hyper's header read timeout never fires and a
//! client that sends its headers a byte a minute holds a connection (and
//! its task) for as long as it likes; a thousand such clients take the
//! server's file descriptors. Here:
//!
//! - a request's head (line and headers) must arrive within
//!   `--head-timeout-secs` (15 s) of its first byte, or hyper closes the
//!   connection;
//! - a request body must send something every `--body-idle-timeout-secs`
//!   (30 s), or the request is answered 408 `timeout` (the router's
//!   `RequestBodyTimeoutLayer`, `http/mod.rs`);
//! - each request knows its peer's address (`ConnectInfo<SocketAddr>`).
//!
//! On shutdown it stops accepting, lets open requests finish and closes
//! idle connections, as `axum::serve`'s graceful shutdown does.

use axum::Router;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::{Service, ServiceExt};

/// Serves `router` on `listener` until `shutdown` completes, then waits for
/// open requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    head_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut make: IntoMakeServiceWithConnectInfo<Router, SocketAddr> =
        router.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(head_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // out of file descriptors and the like: wait, as
                    // axum::serve does, instead of spinning
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(service) = make.call(peer).await;
        let service = TowerToHyperService::new(service.map_request(
            |req: axum::http::Request<hyper::body::Incoming>| req.map(axum::body::Body::new),
        ));
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::trace!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
