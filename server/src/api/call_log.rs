//! Hands every API call to the audit trail of calls (`simdesk_domain::api_calls`) off the
//! request path: calls queue in memory and one writer task stores whatever has gathered in one
//! transaction, so a burst of reads costs a few writes, not one each. When the server has
//! stopped ([`CallLog::finish`]), the writer stores what is queued, then ends; only a crash
//! loses the calls of the moment (never a change: those are in the audit log with the change).

use simdesk_domain::api_calls::{self, ApiCall};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Calls queued before a request waits for the writer.
const QUEUE: usize = 10_000;
/// The most calls stored in one transaction.
const BATCH: usize = 500;
/// How often a failed batch is tried before it is given up (and logged).
const ATTEMPTS: u32 = 5;

/// Where the API's edge notes its calls.
#[derive(Clone)]
pub struct CallLog {
    queue: mpsc::Sender<ApiCall>,
    stop: CancellationToken,
    writer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl CallLog {
    /// Starts the writer on the current runtime.
    pub fn start(db: sea_orm::DatabaseConnection) -> Self {
        let (queue, calls) = mpsc::channel(QUEUE);
        let stop = CancellationToken::new();
        let writer = tokio::spawn(write(db, calls, stop.clone()));
        Self {
            queue,
            stop,
            writer: Arc::new(Mutex::new(Some(writer))),
        }
    }

    /// Queues a call; waits only when the writer is far behind.
    pub async fn note(&self, call: ApiCall) {
        if self.queue.send(call).await.is_err() {
            tracing::error!("the API call log has stopped; a call was not recorded");
        }
    }

    /// Stores what is queued and stops the writer; for when the server no longer serves.
    pub async fn finish(&self) {
        self.stop.cancel();
        let writer = self.writer.lock().ok().and_then(|mut w| w.take());
        if let Some(writer) = writer {
            let _ = writer.await;
        }
    }
}

async fn write(
    db: sea_orm::DatabaseConnection,
    mut calls: mpsc::Receiver<ApiCall>,
    stop: CancellationToken,
) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            received = calls.recv_many(&mut batch, BATCH) => {
                if received == 0 {
                    return;
                }
                store(&db, &mut batch).await;
            }
            () = stop.cancelled() => {
                while let Ok(call) = calls.try_recv() {
                    batch.push(call);
                    if batch.len() == BATCH {
                        store(&db, &mut batch).await;
                    }
                }
                store(&db, &mut batch).await;
                return;
            }
        }
    }
}

/// Stores a batch, trying again a few times (the database may be restarting), then empties it.
async fn store(db: &sea_orm::DatabaseConnection, batch: &mut Vec<ApiCall>) {
    let mut attempt = 1;
    while let Err(error) = api_calls::record(db, batch).await {
        if attempt == ATTEMPTS {
            tracing::error!(error = %error, calls = batch.len(), "API calls could not be recorded");
            break;
        }
        tracing::warn!(error = %error, "recording API calls failed; trying again");
        tokio::time::sleep(Duration::from_millis(500) * attempt).await;
        attempt += 1;
    }
    batch.clear();
}
