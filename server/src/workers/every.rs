//! A worker's rhythm, shared by every background worker. A leaf.

use tokio_util::sync::CancellationToken;

/// A worker's rhythm: one pass per period until told to stop. A pass under way is never cut
/// short; the stop is noticed between passes.
pub struct Every {
    interval: tokio::time::Interval,
    stop: CancellationToken,
}

impl Every {
    pub fn new(period: std::time::Duration, stop: &CancellationToken) -> Self {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            interval,
            stop: stop.clone(),
        }
    }

    /// Waits for the next pass; `false` once the worker is to stop.
    pub async fn next(&mut self) -> bool {
        tokio::select! {
            biased;
            _ = self.stop.cancelled() => false,
            _ = self.interval.tick() => !self.stop.is_cancelled(),
        }
    }
}
