//! Sign-in and sign-out as plain form posts, so they work with or without JavaScript.

use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use simdesk_domain::{auth, Actor};
use std::net::SocketAddr;
use tower_sessions::Session;

use crate::http_error::HttpError;
use crate::session::{back_to_sign_in, local_path, sign_in_as, SIGNED_OUT};
use crate::sso_routes::{provider_sign_out_url, ProviderLogout, LOGOUT_KEY};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub next: Option<String>,
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
        return back_to_sign_in("throttled");
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
            if sign_in_as(&session, actor.user_id).await.is_err() {
                return back_to_sign_in("unavailable");
            }
            let target = if actor.must_change_password {
                "/account/password"
            } else {
                local_path(form.next.as_deref())
            };
            Redirect::to(target).into_response()
        }
        Err(e) => back_to_sign_in(HttpError::new("sign-in failed on the server", e).sign_in_code()),
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
