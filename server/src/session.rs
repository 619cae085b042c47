//! The signed-in session as the sign-in routes share it: the key of the signed-in user,
//! completing a sign-in (password or single sign-on), where the browser may go next, and the
//! way back to the sign-in page. A leaf: the sign-in routes import it, it imports none of them.

use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The session key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";

/// Set when the session's sign-in was vouched for outside simdesk (the company's identity
/// provider, a procurement system's shared secret): simdesk asks no second factor of it.
pub const VOUCHED_ELSEWHERE_KEY: &str = "vouched_elsewhere";

/// A sign-in whose password was right and which waits for a second factor.
const PENDING_SECOND_FACTOR_KEY: &str = "second_factor_pending";

/// How long a sign-in waits for its second factor.
const SECOND_FACTOR_WAIT_SECONDS: i64 = 5 * 60;

/// The cookie of a browser its user chose to trust: no code is asked in it for a while.
pub const TRUSTED_BROWSER_COOKIE: &str = "__Host-simdesk-browser";

/// A sign-in waiting for its second factor: whose, where to go next, since when.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingSecondFactor {
    pub user_id: i64,
    pub next: Option<String>,
    since: i64,
}

/// Where the browser lands after signing out.
pub const SIGNED_OUT: &str = "/sign-in?signed_out=1";

/// Only same-site paths are followed after sign-in; anything else goes to the dashboard.
pub(crate) fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.contains(['\r', '\n']) =>
        {
            path
        }
        _ => "/",
    }
}

/// Back to the sign-in page, which explains `code` (`failed`, `throttled`, `unavailable`,
/// `sso_…`) to the user.
pub fn back_to_sign_in(code: &str) -> Response {
    Redirect::to(&format!("/sign-in?error={code}")).into_response()
}

/// Why a sign-in could not be kept in the session; already logged.
#[derive(Debug)]
pub struct NotStored;

/// Signs the browser's session in as `user_id`, under a new session id: a new id at sign-in
/// defeats session fixation.
pub async fn sign_in_as(session: &Session, user_id: i64) -> Result<(), NotStored> {
    begin_sign_in(session).await?;
    store(session, USER_ID_KEY, user_id).await
}

/// A new session id, and nothing of an earlier sign-in in it: neither its user, nor its waiting
/// second factor, nor an exemption its way of signing in had.
async fn begin_sign_in(session: &Session) -> Result<(), NotStored> {
    if let Err(e) = session.cycle_id().await {
        tracing::error!(error = %e, "session rotation failed");
        return Err(NotStored);
    }
    for key in [
        USER_ID_KEY,
        VOUCHED_ELSEWHERE_KEY,
        PENDING_SECOND_FACTOR_KEY,
    ] {
        if let Err(e) = session.remove_value(key).await {
            tracing::error!(error = %e, "session write failed");
            return Err(NotStored);
        }
    }
    Ok(())
}

/// Signs the browser's session in as `user_id` for a sign-in vouched for elsewhere (see
/// [`VOUCHED_ELSEWHERE_KEY`]).
pub async fn sign_in_vouched(session: &Session, user_id: i64) -> Result<(), NotStored> {
    sign_in_as(session, user_id).await?;
    store(session, VOUCHED_ELSEWHERE_KEY, true).await
}

/// Holds a sign-in whose password was right until its second factor arrives, under a new
/// session id and without signing the session in.
pub async fn await_second_factor(
    session: &Session,
    user_id: i64,
    next: Option<String>,
) -> Result<(), NotStored> {
    begin_sign_in(session).await?;
    let pending = PendingSecondFactor {
        user_id,
        next,
        since: chrono::Utc::now().timestamp(),
    };
    store(session, PENDING_SECOND_FACTOR_KEY, pending).await
}

/// The sign-in waiting for a second factor in this session, if it has not waited too long.
pub async fn pending_second_factor(session: &Session) -> Option<PendingSecondFactor> {
    let pending: PendingSecondFactor = session
        .get(PENDING_SECOND_FACTOR_KEY)
        .await
        .ok()
        .flatten()?;
    let waited = chrono::Utc::now().timestamp() - pending.since;
    (0..=SECOND_FACTOR_WAIT_SECONDS)
        .contains(&waited)
        .then_some(pending)
}

/// Keeps `value` under `key` in the session.
pub async fn store<T: serde::Serialize + Send + Sync>(
    session: &Session,
    key: &str,
    value: T,
) -> Result<(), NotStored> {
    session.insert(key, value).await.map_err(|e| {
        tracing::error!(error = %e, "session write failed");
        NotStored
    })
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/users")), "/users");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "users",
            "/a\r\nSet-Cookie: x",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }
}
