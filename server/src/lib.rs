//! The simdesk server: HTTP routes, sessions, the Leptos app, and the CLI around them.

pub mod api;
pub mod auth_routes;
pub mod config;
pub mod csv_routes;
pub mod cxml_check;
pub mod form_outcome;
pub mod http_error;
pub mod http_metrics;
pub mod mail_receive;
pub mod metrics_route;
pub mod punchout_routes;
pub mod request_context;
pub mod session;
pub mod session_store;
pub mod shutdown;
pub mod sso_routes;
pub mod workers;

use axum::extract::{FromRef, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sea_orm::DatabaseConnection;
use simdesk_domain::auth;
use simdesk_domain::mailbox::ReaderSettings;
use simdesk_domain::secret::SecretKey;
use simdesk_domain::sso::SsoRuntime;
use std::net::IpAddr;
use std::sync::Arc;
use tower::Layer;
use tower::ServiceExt;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::session::{USER_ID_KEY, VOUCHED_ELSEWHERE_KEY};
use crate::session_store::DatabaseSessionStore;

/// The session cookie: `__Host-` pins it to this host, path `/`, HTTPS only.
pub const SESSION_COOKIE: &str = "__Host-simdesk";

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    /// Sign-in attempts allowed per client address and minute, counted in the database.
    pub sign_in_per_minute: u32,
    /// Seals and opens stored secrets: identity providers' client secrets, procurement
    /// systems' shared secrets.
    pub sealing_key: SecretKey,
    pub sso: SsoRuntime,
    /// The bearer token `/metrics` asks for; without one, only loopback clients are served.
    pub metrics_token: Option<Arc<str>>,
    /// How order mailboxes are read, by the worker and by "Check now" alike.
    pub mailbox: ReaderSettings,
    /// Set once shutdown began: `/readyz` answers 503.
    pub draining: shutdown::Draining,
    /// Requests, latency and failed sign-ins this instance counted, for `/metrics`.
    pub http_metrics: http_metrics::HttpMetrics,
    /// Each API token's rate, counted by this instance.
    pub api_rate_limits: api::caller::RateLimits,
    /// Every call of the REST API, on its way to the audit trail of calls.
    pub api_calls: api::call_log::CallLog,
    /// Where webhooks may go, for the forms that make them.
    pub webhooks: simdesk_domain::webhooks::WebhookSettings,
}

/// Settings of the HTTP layer that tests and the CLI choose.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub sign_in_per_minute: u32,
    /// Requests of the REST API per token and minute.
    pub api_requests_per_minute: u32,
    /// How webhooks are delivered, and where they may go.
    pub webhooks: simdesk_domain::webhooks::WebhookSettings,
    pub session_idle_minutes: i64,
    /// The key stored secrets are sealed with (see [`AppState::sealing_key`]).
    pub sealing_key: SecretKey,
    pub sso: SsoRuntime,
    pub metrics_token: Option<String>,
    pub mailbox: ReaderSettings,
}

impl Default for HttpSettings {
    /// A fresh random sealing key: fine for tests, useless across restarts.
    fn default() -> Self {
        Self {
            sign_in_per_minute: 20,
            api_requests_per_minute: 600,
            webhooks: simdesk_domain::webhooks::WebhookSettings::default(),
            session_idle_minutes: 480,
            sealing_key: SecretKey::generate(),
            sso: SsoRuntime::default(),
            metrics_token: None,
            mailbox: ReaderSettings::default(),
        }
    }
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: DatabaseConnection,
        settings: &HttpSettings,
    ) -> Self {
        let api_calls = api::call_log::CallLog::start(db.clone());
        Self {
            leptos_options,
            db,
            sign_in_per_minute: settings.sign_in_per_minute.max(1),
            sealing_key: settings.sealing_key.clone(),
            sso: settings.sso.clone(),
            metrics_token: settings.metrics_token.as_deref().map(Arc::from),
            mailbox: settings.mailbox.clone(),
            draining: shutdown::Draining::default(),
            http_metrics: http_metrics::HttpMetrics::default(),
            api_rate_limits: api::caller::RateLimits::per_minute(settings.api_requests_per_minute),
            api_calls,
            webhooks: settings.webhooks.clone(),
        }
    }
}

/// Puts the signed-in user's [`Actor`] into the request, or ends a session whose user is gone
/// or deactivated.
async fn load_actor(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    match session.get::<i64>(USER_ID_KEY).await {
        Ok(Some(user_id)) => {
            match auth::session_actor(&state.db, user_id, vouched(&session).await).await {
                Ok(Some(actor)) => {
                    request.extensions_mut().insert(actor);
                }
                Ok(None) => {
                    session.flush().await.ok();
                }
                Err(e) if e.is_unavailable() => {
                    tracing::error!(error = %e, "loading the signed-in user failed");
                    return unavailable();
                }
                Err(e) => {
                    tracing::error!(error = %e, "loading the signed-in user failed");
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            }
        }
        Ok(None) => {}
        // The session table could not be read: the user is not signed out for that.
        Err(tower_sessions::session::Error::Store(
            tower_sessions::session_store::Error::Backend(e),
        )) => {
            tracing::error!(error = %e, "the session could not be loaded");
            return unavailable();
        }
        Err(e) => {
            tracing::warn!(error = %e, "unreadable session ignored");
        }
    }
    next.run(request).await
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        app::error::AppError::Unavailable.to_string(),
    )
        .into_response()
}

/// Why a sign-in attempt was not even looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptRefused {
    /// The client address made too many attempts this minute.
    Throttled,
    /// The attempt could not be counted (the database is unreachable).
    Unavailable,
}

impl AttemptRefused {
    /// The code the sign-in pages explain.
    pub fn code(self) -> &'static str {
        match self {
            AttemptRefused::Throttled => "throttled",
            AttemptRefused::Unavailable => "unavailable",
        }
    }
}

impl AppState {
    /// Counts a sign-in attempt (a password, a code, a single sign-on start, a reset request)
    /// of the client `peer`, against a limit that holds across every instance.
    pub async fn count_sign_in_attempt(&self, peer: IpAddr) -> Result<(), AttemptRefused> {
        use simdesk_domain::sign_in_limit;
        let client = sign_in_limit::client_key(peer);
        match sign_in_limit::allow(&self.db, &client, self.sign_in_per_minute).await {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::warn!(%client, "sign-in rate limit reached");
                self.http_metrics
                    .sign_in_failed(http_metrics::SignInFailure::Throttled);
                Err(AttemptRefused::Throttled)
            }
            Err(e) => {
                tracing::error!(error = %e, "counting a sign-in attempt failed");
                Err(AttemptRefused::Unavailable)
            }
        }
    }
}

/// Whether the session's sign-in was vouched for elsewhere (see [`VOUCHED_ELSEWHERE_KEY`]).
async fn vouched(session: &Session) -> bool {
    matches!(
        session.get::<bool>(VOUCHED_ELSEWHERE_KEY).await,
        Ok(Some(true))
    )
}

/// Refuses state-changing requests that a browser sent from another origin (cross-site request
/// forgery); SameSite=Lax on the cookie is the first line, this the second.
async fn same_origin_writes(request: Request, next: Next) -> Response {
    // An SAP system's OCI call is a form post from its own origin by design; it carries its
    // own credential, so no session of the browser's is at stake.
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) && !request.uri().path().starts_with("/punchout/oci/");
    if writes {
        let headers = request.headers();
        if let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST))
        {
            let origin_host = origin
                .to_str()
                .ok()
                .and_then(|o| o.split_once("://").map(|(_, rest)| rest.to_owned()));
            if origin_host.as_deref() != host.to_str().ok() {
                tracing::warn!(?origin, ?host, "cross-origin write refused");
                return (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response();
            }
        }
    }
    next.run(request).await
}

/// Mints a nonce per request for the page's inline scripts and sends the policy naming it.
async fn content_security_policy(mut request: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new().to_string();
    request
        .extensions_mut()
        .insert(app::security::CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let page = response
        .extensions()
        .get::<app::security::PagePolicy>()
        .cloned()
        .unwrap_or_default();
    let policy = app::security::content_security_policy_for(html.then_some(nonce.as_str()), &page);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    // Browsers that predate `frame-ancestors` get the same answer; PunchOut pages framed by
    // their procurement system rely on the policy alone.
    if page.frame_ancestors.is_empty() {
        response
            .headers_mut()
            .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// Server-function errors leave server_fn as HTTP 500 whatever went wrong; this gives each its
/// real status (400 for bad input, 401, 403, 404, 409), decoding failures included. Form posts
/// without JavaScript are redirects, not errors, and pass untouched.
async fn server_fn_error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.draining.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response();
    }
    match simdesk_domain::db::ping(&state.db).await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// The whole application: pages, server functions, sign-in routes, health checks.
pub fn router(state: AppState, settings: &HttpSettings) -> Router {
    request_context::carry_request_into_spawned_tasks();
    let routes = generate_route_list(app::App);
    let session_layer = SessionManagerLayer::new(DatabaseSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_secure(true)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            settings.session_idle_minutes,
        )));
    let punchout_session_layer =
        SessionManagerLayer::new(DatabaseSessionStore::new(state.db.clone()))
            .with_name(punchout_routes::PUNCHOUT_COOKIE)
            .with_secure(true)
            .with_http_only(true)
            .with_same_site(SameSite::None)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
                settings.session_idle_minutes.min(120),
            )));
    let db = state.db.clone();
    let sso = state.sso.clone();
    let sealing_key = state.sealing_key.clone();
    let mailbox = state.mailbox.clone();
    let webhooks = state.webhooks.clone();
    let leptos_options = state.leptos_options.clone();

    let pages: Router<AppState> = Router::new()
        .route("/auth/sign-in", post(auth_routes::sign_in))
        .route("/auth/second-factor", post(auth_routes::second_factor))
        .route("/auth/sign-out", post(auth_routes::sign_out))
        .route("/auth/forgot-password", post(auth_routes::forgot_password))
        .route("/auth/reset-password", post(auth_routes::reset_password))
        .route("/auth/sso", post(sso_routes::start))
        .route(sso_routes::CALLBACK, get(sso_routes::callback))
        .route("/catalog/products.csv", get(csv_routes::export_products))
        .route("/accounts.csv", get(csv_routes::export_accounts))
        .route("/orders/{id}/sims.csv", get(csv_routes::export_po_sims))
        .route("/punchout/start/{token}", get(punchout_routes::start))
        .route("/punchout/transfer", post(punchout_routes::transfer))
        .route("/punchout/cancel", post(punchout_routes::cancel))
        .route(
            "/punchout/oci/{tenant}",
            get(punchout_routes::oci).post(punchout_routes::oci),
        )
        .route(
            "/stock/import",
            post(csv_routes::import_stock).layer(axum::extract::DefaultBodyLimit::max(
                csv_routes::MAX_STOCK_BYTES,
            )),
        )
        .route(
            "/catalog/products/import",
            post(csv_routes::import_products).layer(axum::extract::DefaultBodyLimit::max(
                csv_routes::MAX_IMPORT_BYTES,
            )),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(db.clone());
                provide_context(sso.clone());
                provide_context(sealing_key.clone());
                provide_context(mailbox.clone());
                provide_context(webhooks.clone());
            },
            move || app::shell(leptos_options.clone()),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            http_metrics::record,
        ))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::from_fn(form_outcome::carry_plain_form_outcome))
        .layer(middleware::from_fn_with_state(state.clone(), load_actor));
    // The portal's strict session everywhere, the PunchOut visit's own on its paths only.
    let portal = pages.clone().layer(session_layer).with_state(state.clone());
    let procurement = pages
        .layer(middleware::from_fn_with_state(
            state.clone(),
            punchout_routes::frame_policy,
        ))
        .layer(punchout_session_layer)
        .layer(middleware::from_fn(punchout_routes::partitioned_cookie))
        .with_state(state.clone());
    let by_session = tower::service_fn(move |request: Request| {
        let target = if punchout_routes::is_punchout_path(request.uri().path()) {
            procurement.clone()
        } else {
            portal.clone()
        };
        target.oneshot(request)
    });
    // Pages, server functions and CSV files are compressed as they go out; the built files
    // were compressed once by the build.
    let by_session = CompressionLayer::new()
        .quality(CompressionLevel::Precise(4))
        .layer(by_session);
    let site_pkg_dir = format!("/{}", state.leptos_options.site_pkg_dir);
    let built_files = built_files(&state.leptos_options);

    Router::new()
        .fallback_service(by_session)
        .layer(middleware::from_fn(same_origin_writes))
        // Bearer tokens, no cookies: the same-origin check of the portal's writes has no
        // place here.
        .nest("/api/v1", api::router(state.clone()))
        .route("/cxml/{tenant}", post(punchout_routes::cxml))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_route::metrics))
        .route("/readyz", get(readyz))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            http_metrics::record,
        ))
        .nest_service(&site_pkg_dir, built_files)
        .layer(middleware::from_fn(content_security_policy))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(request_context::request_id))
        .with_state(state)
}

/// The built front end (`/pkg`): the brotli or gzip copy the build stored when the browser takes
/// it, and kept by browsers for good when the build named the files by their content.
fn built_files(options: &LeptosOptions) -> BuiltFiles {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let caching = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        // Same names for every build: the browser asks each time whether the file changed.
        "no-cache"
    };
    tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(caching),
        ))
        // The answer depends on Accept-Encoding, which ServeDir does not say to caches.
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
}

type BuiltFiles = SetResponseHeader<SetResponseHeader<ServeDir, HeaderValue>, HeaderValue>;

/// Removes expired sessions every `period`, forever.
pub async fn expire_sessions(db: DatabaseConnection, period: std::time::Duration) {
    let store = DatabaseSessionStore::new(db.clone());
    let mut interval = tokio::time::interval(period);
    loop {
        interval.tick().await;
        match store.delete_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "expired sessions removed"),
            Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
        }
        if let Err(e) = simdesk_domain::sign_in_limit::purge(&db).await {
            tracing::warn!(error = %e, "removing past sign-in counts failed");
        }
    }
}

/// Makes sure the directory of a SQLite file exists before SQLite is asked to create the file.
pub fn prepare_sqlite_path(database_url: &str) -> std::io::Result<()> {
    if let Some(rest) = database_url.strip_prefix("sqlite://") {
        let path = rest.split('?').next().unwrap_or_default();
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
    }
    Ok(())
}
