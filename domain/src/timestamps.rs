//! How simdesk writes timestamps for people and documents. A leaf: imports no service.

use chrono::{DateTime, Utc};

/// RFC 3339 in UTC to the second, as views and traces show it: `2026-12-03T10:15:00Z`.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
