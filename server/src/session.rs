//! The signed-in session as the sign-in routes share it: the key of the signed-in user,
//! completing a sign-in (password or single sign-on), where the browser may go next, and the
//! way back to the sign-in page. A leaf: the sign-in routes import it, it imports none of them.

use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The session key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";

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
    if let Err(e) = session.cycle_id().await {
        tracing::error!(error = %e, "session rotation failed");
        return Err(NotStored);
    }
    store(session, USER_ID_KEY, user_id).await
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
