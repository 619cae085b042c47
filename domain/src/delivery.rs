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

/// Until when a claim holds a row whose next attempt was `previous`: the attempt's lease from
/// now, and always later than `previous`, so that a second claim of the same row (whose
/// compare-and-set looks for `previous`) finds it changed even when the pass that found it had
/// leased it already.
pub(crate) fn claim_until(previous: DateTime<Utc>, timeout: std::time::Duration) -> DateTime<Utc> {
    (Utc::now() + lease(timeout)).max(previous + Duration::milliseconds(1))
}

/// The rows of a queue that are due, for one worker's pass. On PostgreSQL they are locked
/// with `FOR UPDATE SKIP LOCKED` and leased until `lease_until` in the same transaction, so
/// workers on several instances take disjoint batches instead of racing for the same rows;
/// each row's claim (a compare-and-set on its next attempt, which `set_next` brings up to
/// date) still decides. SQLite has one writer and no row locks: there the rows are read, and
/// the claims alone decide.
pub(crate) async fn due_batch<E>(
    db: &sea_orm::DatabaseConnection,
    query: sea_orm::Select<E>,
    id: E::Column,
    next_attempt: E::Column,
    lease_until: DateTime<Utc>,
    id_of: impl Fn(&E::Model) -> i64,
    set_next: impl Fn(&mut E::Model, DateTime<Utc>),
) -> crate::DomainResult<Vec<E::Model>>
where
    E: sea_orm::EntityTrait,
{
    use crate::db::{begin, begin_write, DataScope};
    use sea_orm::sea_query::{Expr, LockBehavior, LockType};
    use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, QueryFilter, QuerySelect};

    if db.get_database_backend() != DbBackend::Postgres {
        let txn = begin(db, DataScope::System).await?;
        let rows = query.all(&txn).await?;
        txn.commit().await?;
        return Ok(rows);
    }
    let txn = begin_write(db, DataScope::System).await?;
    let mut rows = query
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&txn)
        .await?;
    if !rows.is_empty() {
        E::update_many()
            .col_expr(next_attempt, Expr::value(lease_until))
            .filter(id.is_in(rows.iter().map(&id_of)))
            .exec(&txn)
            .await?;
        for row in &mut rows {
            set_next(row, lease_until);
        }
    }
    txn.commit().await?;
    Ok(rows)
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
