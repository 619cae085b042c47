//! The way down after SIGTERM (or Ctrl-C): `/readyz` turns unready first, so a load balancer
//! stops sending new requests; after the drain period the listener closes and the requests in
//! flight finish; the workers finish the pass they are in and stop. A leaf.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Whether the server is on its way down; `/readyz` answers 503 from then on.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    pub fn start(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Waits for SIGTERM or Ctrl-C.
pub async fn signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
