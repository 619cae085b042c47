//! Webhooks: a tenant's or an account's subscriptions to events (purchase orders changing
//! status, SIMs ready, shipped, alarms raised), and the durable queue of deliveries, signed
//! after the Standard Webhooks scheme and retried like the other queues.
//!
//! - [`subscriptions`]: making, listing and removing subscriptions, and a test delivery;
//! - [`publish`]: queuing an event for the subscriptions that want it, in the transaction of
//!   the change it tells of;
//! - [`delivery`]: which deliveries are due, claiming one, recording how an attempt ended;
//! - [`signature`]: the signing scheme itself (no I/O).

pub mod delivery;
mod publish;
pub mod signature;
pub mod subscriptions;

pub(crate) use publish::{publish, publish_rows};
pub use subscriptions::{create, list, remove, send_test};

/// How webhooks are delivered.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Per attempt, connecting and answering together.
    pub timeout: std::time::Duration,
    pub max_attempts: i32,
    pub first_retry: chrono::Duration,
    pub max_retry: chrono::Duration,
    /// Deliveries taken per pass.
    pub batch: u64,
    /// Whether webhooks may go to loopback and private addresses (tests, a provider's own
    /// network); never by default.
    pub allow_private_targets: bool,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            timeout: std::time::Duration::from_secs(10),
            max_attempts: 8,
            first_retry: chrono::Duration::seconds(30),
            max_retry: chrono::Duration::hours(1),
            batch: 50,
            allow_private_targets: false,
        }
    }
}

impl WebhookSettings {
    pub fn retry(&self) -> crate::delivery::RetryPolicy {
        crate::delivery::RetryPolicy {
            max_attempts: self.max_attempts,
            first_retry: self.first_retry,
            max_retry: self.max_retry,
        }
    }
}
