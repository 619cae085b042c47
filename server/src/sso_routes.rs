//! Single sign-on over HTTP: `POST /auth/sso` sends the browser to the account's provider,
//! `GET /auth/sso/callback` takes it back and signs the user in. Every failure ends on the
//! sign-in page with a message for the user; the details go to the log.

use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::{Deserialize, Serialize};
use simdesk_domain::sso::{self, oidc, PendingSignIn, SsoError, SsoRuntime};
use std::net::SocketAddr;
use tower_sessions::Session;

use crate::http_error::HttpError;
use crate::session::{back_to_sign_in, local_path, sign_in_vouched, store, SIGNED_OUT};
use crate::AppState;

pub const CALLBACK: &str = sso::CALLBACK_PATH;
/// The session key of a sign-in sent to a provider and not yet back.
const PENDING_KEY: &str = "sso_pending";
/// The session key of what signing out at the provider needs.
pub const LOGOUT_KEY: &str = "sso_logout";

/// Kept from an SSO sign-in, so signing out can end the provider's session too.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProviderLogout {
    pub end_session_url: String,
    pub id_token: String,
    pub client_id: String,
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    pub email: String,
    #[serde(default)]
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub(crate) fn public_base(sso: &SsoRuntime, headers: &HeaderMap) -> String {
    sso.public_base(
        header(headers, "host"),
        header(headers, "x-forwarded-proto"),
    )
}

fn redirect_uri(sso: &SsoRuntime, headers: &HeaderMap) -> String {
    sso.redirect_uri(
        header(headers, "host"),
        header(headers, "x-forwarded-proto"),
    )
}

fn urlencoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Ends a failed sign-in on the sign-in page, saying why in words the user can act on.
fn failed(error: SsoError, email: Option<&str>) -> Response {
    let mut code = match error {
        SsoError::Domain(e) => HttpError::new("single sign-on failed on the server", e)
            .sign_in_code()
            .to_owned(),
        other => {
            tracing::warn!(error = %other, code = other.code(), "single sign-on refused");
            other.code().to_owned()
        }
    };
    if let Some(email) = email {
        code.push_str("&email=");
        code.push_str(&urlencoded(email));
    }
    back_to_sign_in(&code)
}

/// Sends the browser to the provider of the e-mail address's domain.
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<StartForm>,
) -> Response {
    // Each start costs a discovery request to the provider: limited like password sign-ins.
    if let Err(refused) = state.count_sign_in_attempt(peer.ip()).await {
        return back_to_sign_in(refused.code());
    }
    begin_sign_in(
        &state,
        &headers,
        &session,
        &form.email,
        form.next.as_deref(),
    )
    .await
}

/// Starts a single sign-on for `email`; the password form uses it when no password was given.
pub async fn begin_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    email: &str,
    next: Option<&str>,
) -> Response {
    let email = email.trim();
    let provider = match sso::provider_for_email(&state.db, &state.sealing_key, email).await {
        Ok(Some(provider)) => provider,
        Ok(None) => return failed(SsoError::NotConfigured, Some(email)),
        Err(e) => return failed(e, Some(email)),
    };
    let next = local_path(next);
    let redirect_uri = redirect_uri(&state.sso, headers);
    match oidc::begin(&provider, &redirect_uri, next, &state.sso.oidc).await {
        Ok((url, pending)) => {
            if store(session, PENDING_KEY, pending).await.is_err() {
                return back_to_sign_in("unavailable");
            }
            continue_to(&url)
        }
        Err(e) => failed(e, Some(email)),
    }
}

/// The provider's answer: checks it belongs to this browser's sign-in, exchanges the code,
/// verifies the ID token and signs the user in.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Session,
    Query(params): Query<CallbackParams>,
) -> Response {
    // Taken out of the session at once: a sign-in completes at most once.
    let pending: Option<PendingSignIn> = session.remove(PENDING_KEY).await.ok().flatten();
    let Some(pending) = pending else {
        return failed(SsoError::Expired, None);
    };
    let state_matches = params
        .state
        .as_deref()
        .is_some_and(|returned| constant_time_eq(returned.as_bytes(), pending.state.as_bytes()));
    if !state_matches {
        return failed(SsoError::StateMismatch, None);
    }
    if let Some(error) = params.error {
        let detail = match params.error_description {
            Some(description) => format!("{error}: {description}"),
            None => error,
        };
        return failed(SsoError::Refused(detail), None);
    }
    let Some(code) = params.code.filter(|c| !c.is_empty()) else {
        return failed(
            SsoError::CodeRejected("the provider sent no authorization code".into()),
            None,
        );
    };
    let provider =
        match sso::provider_by_id(&state.db, &state.sealing_key, pending.provider_id).await {
            Ok(provider) => provider,
            Err(e) => return failed(e, None),
        };
    let next = pending.next.clone();
    let redirect_uri = redirect_uri(&state.sso, &headers);
    let identity =
        match oidc::finish(&provider, pending, &code, &redirect_uri, &state.sso.oidc).await {
            Ok(identity) => identity,
            Err(e) => return failed(e, None),
        };
    let actor = match sso::sign_in(&state.db, &provider, &identity).await {
        Ok(actor) => actor,
        Err(e) => return failed(e, None),
    };
    if sign_in_vouched(&session, actor.user_id).await.is_err() {
        return back_to_sign_in("unavailable");
    }
    let logout = identity
        .end_session_url
        .map(|end_session_url| ProviderLogout {
            end_session_url,
            id_token: identity.id_token,
            client_id: provider.client_id.clone(),
        });
    if let Some(logout) = logout {
        if store(&session, LOGOUT_KEY, logout).await.is_err() {
            return back_to_sign_in("unavailable");
        }
    }
    Redirect::to(local_path(Some(&next))).into_response()
}

/// The provider's end-session URL for a session that came from single sign-on; it sends the
/// browser back to the sign-in page.
pub fn provider_sign_out_url(
    sso: &SsoRuntime,
    headers: &HeaderMap,
    logout: ProviderLogout,
) -> Option<String> {
    let back = format!("{}{SIGNED_OUT}", public_base(sso, headers));
    oidc::logout_url(
        &logout.end_session_url,
        &logout.id_token,
        &logout.client_id,
        &back,
    )
}

/// Sends the browser on to an identity provider. A redirect would do, but this answers a form
/// post and the pages' `form-action 'self'` would then stop the browser at the provider's
/// origin; a page that moves on by itself is a plain navigation, which that rule leaves alone.
pub fn continue_to(url: &str) -> Response {
    use axum::http::{header, HeaderValue, StatusCode};
    let escaped = html_escape(url);
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={escaped}\">\
         <title>Continuing to your identity provider</title></head>\
         <body style=\"font-family:sans-serif;margin:4rem auto;max-width:32rem\">\
         <p>Continuing to your company's sign-in…</p>\
         <p><a href=\"{escaped}\">Continue</a></p></body></html>"
    );
    let mut response = (StatusCode::OK, page).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(refresh) = HeaderValue::from_str(&format!("0;url={url}")) {
        headers.insert("refresh", refresh);
    }
    response
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
