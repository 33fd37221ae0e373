//! Graceful shutdown: on SIGTERM or SIGINT the server stops accepting connections, lets the
//! requests in flight finish (connections are closed after their current response), and
//! exits; if some have not finished after the drain time (the longest budget plus a margin)
//! it exits anyway.

/// Resolves when SIGTERM or SIGINT (Ctrl-C) arrives.
pub async fn signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
