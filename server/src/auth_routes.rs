//! Sign-in and sign-out as plain form posts, so they work with or without JavaScript.

use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use simdesk_domain::{auth, Actor, DomainError};
use std::net::SocketAddr;
use tower_sessions::Session;

use crate::sso_routes::{provider_sign_out_url, ProviderLogout, LOGOUT_KEY, SIGNED_OUT};
use crate::AppState;

/// The session key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub next: Option<String>,
}

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

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    if state.sign_in_limiter.check_key(&peer.ip()).is_err() {
        tracing::warn!(ip = %peer.ip(), "sign-in rate limit reached");
        return Redirect::to("/sign-in?error=throttled").into_response();
    }
    // An empty password from a domain with single sign-on means "sign me in there".
    if form.password.is_empty() {
        return crate::sso_routes::begin_sign_in(
            &state,
            &headers,
            &session,
            &form.email,
            form.next.as_deref(),
        )
        .await;
    }
    match auth::sign_in(&state.db, &form.email, &form.password).await {
        Ok(actor) => {
            // A new id at sign-in defeats session fixation.
            if let Err(e) = session.cycle_id().await {
                tracing::error!(error = %e, "session rotation failed");
                return Redirect::to("/sign-in?error=unavailable").into_response();
            }
            if let Err(e) = session.insert(USER_ID_KEY, actor.user_id).await {
                tracing::error!(error = %e, "session write failed");
                return Redirect::to("/sign-in?error=unavailable").into_response();
            }
            let target = if actor.must_change_password {
                "/account/password"
            } else {
                local_path(form.next.as_deref())
            };
            Redirect::to(target).into_response()
        }
        Err(DomainError::SignInFailed) => Redirect::to("/sign-in?error=failed").into_response(),
        Err(DomainError::SsoRequired) => {
            Redirect::to("/sign-in?error=sso_required").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed on the server");
            Redirect::to("/sign-in?error=unavailable").into_response()
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    actor: Option<Extension<Actor>>,
    session: Session,
) -> Response {
    let provider_logout: Option<ProviderLogout> = session.get(LOGOUT_KEY).await.ok().flatten();
    if let Some(Extension(actor)) = actor {
        if let Err(e) = auth::record_sign_out(&state.db, &actor).await {
            tracing::error!(error = %e, "recording sign-out failed");
        }
    }
    // Deletes the server-side record, so a copied cookie is worthless afterwards.
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "session deletion failed");
    }
    match provider_logout.and_then(|logout| provider_sign_out_url(&state.sso, &headers, logout)) {
        Some(url) => crate::sso_routes::continue_to(&url),
        None => Redirect::to(SIGNED_OUT).into_response(),
    }
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
