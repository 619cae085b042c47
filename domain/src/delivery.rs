//! What happens to a message after an attempt to deliver it, whatever carries it (cXML over
//! HTTP, e-mail over SMTP): delivered, tried again later with a doubling wait, or given up.
//! One policy, so every queue retries alike.

use chrono::{DateTime, Duration, Utc};
use simdesk_types::DeliveryStatus;

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Worth another try: the other side is down, timed out or asked to come back later.
    Retry(String),
    /// Refused for good: trying again would be refused again.
    Refused(String),
}

/// When to try again, and when to stop.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// After this many attempts a message is given up.
    pub max_attempts: i32,
    /// The wait after the first failure; it doubles with every further one.
    pub first_retry: Duration,
    pub max_retry: Duration,
}

impl RetryPolicy {
    /// The wait before the attempt after `attempts` failed ones.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
        let wait = self.first_retry * 2i32.pow(doublings);
        wait.min(self.max_retry)
    }

    /// The message's state after one more attempt ended in `outcome`, `attempts` having been
    /// made before it.
    pub fn settle(&self, attempts: i32, outcome: Outcome, now: DateTime<Utc>) -> Settled {
        let attempts = attempts + 1;
        let (status, error, next_attempt_at) = match outcome {
            Outcome::Delivered => (DeliveryStatus::Sent, String::new(), now),
            Outcome::Refused(error) => (DeliveryStatus::Failed, error, now),
            Outcome::Retry(error) if attempts >= self.max_attempts => (
                DeliveryStatus::Failed,
                format!("{error} (gave up after {attempts} attempts)"),
                now,
            ),
            Outcome::Retry(error) => (DeliveryStatus::Pending, error, now + self.backoff(attempts)),
        };
        Settled {
            status,
            attempts,
            error: error.chars().take(2000).collect(),
            next_attempt_at,
        }
    }
}

/// How long a message claimed for an attempt of at most `timeout` is left to its sender
/// before it is due again: long enough that a slow attempt is not repeated by another worker,
/// short enough that one lost to a crash goes out soon after the restart.
pub fn lease(timeout: std::time::Duration) -> Duration {
    Duration::from_std(timeout * 2).unwrap_or_else(|_| Duration::minutes(1))
}

/// A message's state after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub status: DeliveryStatus,
    /// Attempts made, this one included.
    pub attempts: i32,
    /// Why it is not delivered yet (at most 2000 characters), empty once delivered.
    pub error: String,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            first_retry: Duration::seconds(30),
            max_retry: Duration::minutes(1),
        }
    }

    #[test]
    fn waits_double_up_to_the_longest() {
        let policy = policy();
        assert_eq!(policy.backoff(1), Duration::seconds(30));
        assert_eq!(policy.backoff(2), Duration::seconds(60));
        assert_eq!(policy.backoff(9), Duration::seconds(60));
    }

    #[test]
    fn retries_until_the_last_attempt_then_gives_up() {
        let now = Utc::now();
        let policy = policy();
        let retry = || Outcome::Retry("421 try later".into());
        let first = policy.settle(0, retry(), now);
        assert_eq!(first.status, DeliveryStatus::Pending);
        assert_eq!(first.next_attempt_at, now + Duration::seconds(30));
        let last = policy.settle(2, retry(), now);
        assert_eq!(last.status, DeliveryStatus::Failed);
        assert_eq!(last.error, "421 try later (gave up after 3 attempts)");
        let refused = policy.settle(0, Outcome::Refused("550 no such user".into()), now);
        assert_eq!(
            (refused.status, refused.attempts),
            (DeliveryStatus::Failed, 1)
        );
        let sent = policy.settle(1, Outcome::Delivered, now);
        assert_eq!(
            (sent.status, sent.error.as_str()),
            (DeliveryStatus::Sent, "")
        );
    }
}
