//! Sign-in, sign-out and password resets as plain form posts, so they work with or without
//! JavaScript.

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use simdesk_domain::auth::SignInStep;
use simdesk_domain::{auth, password_reset, second_factor, Actor, DomainError};
use std::net::SocketAddr;
use tower_sessions::cookie::{time, Cookie, SameSite};
use tower_sessions::Session;

use crate::http_error::HttpError;
use crate::http_metrics::SignInFailure;
use crate::session::{
    await_second_factor, back_to_sign_in, local_path, pending_second_factor, sign_in_as,
    SIGNED_OUT, TRUSTED_BROWSER_COOKIE,
};
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
    if let Err(refused) = state.count_sign_in_attempt(peer.ip()).await {
        return back_to_sign_in(refused.code());
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
    let trusted_browser = cookie(&headers, TRUSTED_BROWSER_COOKIE);
    match auth::sign_in(
        &state.db,
        &form.email,
        &form.password,
        trusted_browser.as_deref(),
    )
    .await
    {
        Ok(SignInStep::Done(actor)) => {
            if sign_in_as(&session, actor.user_id).await.is_err() {
                return back_to_sign_in("unavailable");
            }
            Redirect::to(landing(&actor, form.next.as_deref())).into_response()
        }
        Ok(SignInStep::SecondFactor { user_id }) => {
            if await_second_factor(&session, user_id, form.next)
                .await
                .is_err()
            {
                return back_to_sign_in("unavailable");
            }
            Redirect::to(SECOND_FACTOR_PAGE).into_response()
        }
        Err(e) => {
            if matches!(e, DomainError::SignInFailed) {
                state.http_metrics.sign_in_failed(SignInFailure::Password);
            }
            back_to_sign_in(HttpError::new("sign-in failed on the server", e).sign_in_code())
        }
    }
}

/// Where a sign-in leads: first to what the user must do before anything else.
fn landing<'a>(actor: &Actor, next: Option<&'a str>) -> &'a str {
    if actor.must_change_password {
        "/account/password"
    } else if actor.must_enrol_second_factor {
        "/account/security"
    } else {
        local_path(next)
    }
}

/// The page that asks for the second factor.
const SECOND_FACTOR_PAGE: &str = "/sign-in/code";

#[derive(Debug, Deserialize)]
pub struct SecondFactorForm {
    #[serde(default)]
    pub code: String,
    /// The user's explicit choice to trust this browser for a while.
    #[serde(default)]
    pub remember: Option<String>,
}

/// The second step of a sign-in: a code from the authenticator app or a recovery code. Counts
/// against the same per-address limit as passwords, and wrong codes towards the user's lockout.
pub async fn second_factor(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<SecondFactorForm>,
) -> Response {
    if let Err(refused) = state.count_sign_in_attempt(peer.ip()).await {
        return Redirect::to(&format!("{SECOND_FACTOR_PAGE}?error={}", refused.code()))
            .into_response();
    }
    let Some(pending) = pending_second_factor(&session).await else {
        return back_to_sign_in("code_expired");
    };
    let actor = match auth::complete_second_factor(
        &state.db,
        &state.sealing_key,
        pending.user_id,
        &form.code,
    )
    .await
    {
        Ok(actor) => actor,
        Err(DomainError::SignInFailed) => {
            state
                .http_metrics
                .sign_in_failed(SignInFailure::SecondFactor);
            return Redirect::to(&format!("{SECOND_FACTOR_PAGE}?error=failed")).into_response();
        }
        Err(e) => {
            HttpError::new("a second-factor check failed", e);
            return Redirect::to(&format!("{SECOND_FACTOR_PAGE}?error=unavailable"))
                .into_response();
        }
    };
    // Signing in drops the waiting sign-in with everything else the session held.
    if sign_in_as(&session, actor.user_id).await.is_err() {
        return back_to_sign_in("unavailable");
    }
    let mut response = Redirect::to(landing(&actor, pending.next.as_deref())).into_response();
    if form.remember.is_some() {
        let browser = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        match second_factor::trust_browser(&state.db, actor.user_id, browser).await {
            Ok(token) => {
                let cookie = Cookie::build((TRUSTED_BROWSER_COOKIE, token))
                    .path("/")
                    .secure(true)
                    .http_only(true)
                    .same_site(SameSite::Lax)
                    .max_age(time::Duration::days(second_factor::TRUSTED_BROWSER_DAYS));
                if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            // The sign-in stands; the browser is simply asked again next time.
            Err(e) => tracing::error!(error = %e, "trusting a browser failed"),
        }
    }
    response
}

/// The value of the request's cookie `name`.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
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

#[derive(Debug, Deserialize)]
pub struct ForgotPasswordForm {
    #[serde(default)]
    pub email: String,
}

/// The least time "Forgot password?" takes to answer: more than queueing a link for a known
/// address does, so the time tells no one whether an address has an account.
pub const FORGOT_PASSWORD_ANSWER_TIME: std::time::Duration = std::time::Duration::from_millis(300);

/// "Forgot password?": queues a reset link and answers alike, and after the same time, whether
/// or not the address has an account. Counts against the same per-address limit as sign-in
/// attempts.
pub async fn forgot_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<ForgotPasswordForm>,
) -> Response {
    if let Err(refused) = state.count_sign_in_attempt(peer.ip()).await {
        return Redirect::to(&format!("/forgot-password?error={}", refused.code())).into_response();
    }
    let answer_at = tokio::time::Instant::now() + FORGOT_PASSWORD_ANSWER_TIME;
    let outcome = password_reset::request(&state.db, &form.email).await;
    tokio::time::sleep_until(answer_at).await;
    match outcome {
        Ok(()) => Redirect::to("/forgot-password?sent=1").into_response(),
        Err(DomainError::Invalid(_)) => {
            Redirect::to("/forgot-password?error=email").into_response()
        }
        Err(e) => {
            HttpError::new("a password reset request failed", e);
            Redirect::to("/forgot-password?error=unavailable").into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ResetPasswordForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm_password: String,
}

/// Sets a new password through a reset link, then sends the user to sign in with it.
pub async fn reset_password(
    State(state): State<AppState>,
    Form(form): Form<ResetPasswordForm>,
) -> Response {
    let again = |code: &str| {
        let token: String = url::form_urlencoded::byte_serialize(form.token.as_bytes()).collect();
        Redirect::to(&format!("/reset-password?token={token}&error={code}")).into_response()
    };
    if form.password != form.confirm_password {
        return again("mismatch");
    }
    match password_reset::complete(&state.db, &form.token, &form.password).await {
        Ok(()) => Redirect::to("/sign-in?password_reset=1").into_response(),
        Err(DomainError::Invalid(errors)) if errors.iter().any(|e| e.field == "token") => {
            again("expired")
        }
        Err(DomainError::Invalid(errors)) => {
            let too_long = errors.iter().any(|e| e.message.contains("at most"));
            again(if too_long { "too_long" } else { "too_short" })
        }
        Err(e) => {
            HttpError::new("a password reset failed", e);
            again("unavailable")
        }
    }
}
