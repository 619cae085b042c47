//! cXML and PunchOut over HTTP. `POST /cxml/{tenant}` takes the procurement systems' documents;
//! `GET /punchout/start/{token}` signs the browser in for one PunchOut visit with its own
//! cookie, which works inside the procurement system's frame; `POST /punchout/transfer` and
//! `POST /punchout/cancel` send the cart back with a form that submits itself;
//! `/punchout/oci/{tenant}` is the SAP OCI entry.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use simdesk_domain::punchout::oci::{self, OciEntry, OciOutcome};
use simdesk_domain::punchout::shopping::{self, CartForm, Started, Visit};
use simdesk_domain::punchout::{self, Answer, Endpoint, PunchOutError};
use simdesk_domain::Actor;
use simdesk_types::{CartReturn, Locale, OptionKind};
use tower_sessions::Session;

use crate::http_error::HttpError;
use crate::session::{USER_ID_KEY, VOUCHED_ELSEWHERE_KEY};
use crate::AppState;
use app::assets::stylesheet_href;
use app::security::{CspNonce, PagePolicy};
use leptos::config::LeptosOptions;

/// The PunchOut visit's own session cookie: `SameSite=None; Partitioned`, so the browser sends
/// it inside the procurement system's frame, and only there.
pub const PUNCHOUT_COOKIE: &str = "__Host-simdesk-punchout";
/// The session key naming the visit.
pub const VISIT_KEY: &str = "punchout_visit";
/// Largest document read; the parser's own limit is the same, so both answer 413.
pub const MAX_CXML_BYTES: usize = 4 * 1024 * 1024;

/// Paths served with the PunchOut session instead of the portal's.
pub fn is_punchout_path(path: &str) -> bool {
    path == "/punchout" || path.starts_with("/punchout/")
}

fn xml(answer: Answer) -> Response {
    let status = if (200..300).contains(&answer.code) {
        StatusCode::OK
    } else {
        StatusCode::from_u16(answer.code as u16).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=UTF-8")],
        answer.xml,
    )
        .into_response()
}

/// `POST /cxml/{tenant}`: one cXML request in, one cXML response out.
pub async fn cxml(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, MAX_CXML_BYTES).await else {
        return xml(punchout::error_answer(&PunchOutError::TooLarge(format!(
            "The document is larger than {} MiB.",
            MAX_CXML_BYTES / 1024 / 1024
        ))));
    };
    let base = crate::sso_routes::public_base(&state.sso, &headers);
    let endpoint = Endpoint {
        key: &state.sealing_key,
        tenant_slug: &tenant,
        base_url: &base,
    };
    xml(punchout::handle(&state.db, &endpoint, &bytes).await)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The language of a PunchOut page before a visit's user is known: the first of the browser's
/// languages that simdesk speaks, else English.
fn page_locale(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|accepted| accepted.to_str().ok())
        .and_then(|accepted| {
            accepted.split(',').find_map(|tag| {
                let tag = tag.split(';').next()?.trim();
                Locale::from_code(&tag.split('-').next()?.to_ascii_lowercase())
            })
        })
        .unwrap_or(Locale::English)
}

/// A small page of its own: PunchOut pages live in a frame and say one thing.
fn message_page(
    site: &LeptosOptions,
    locale: Locale,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · simdesk</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body class=\"min-h-screen bg-slate-50 text-slate-900 antialiased\">\
         <main class=\"mx-auto max-w-xl p-8\"><h1 class=\"text-xl font-semibold\">{title}</h1>\
         <p role=\"alert\" class=\"mt-4 text-slate-700\">{message}</p></main></body></html>",
        lang = locale.code(),
        title = escape(title),
        message = escape(message),
        stylesheet = escape(&stylesheet_href(site)),
    );
    (status, Html(body)).into_response()
}

/// `GET /punchout/start/{token}`: opens the visit once and signs its procurement user in.
pub async fn start(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    let locale = page_locale(&headers);
    match shopping::start(&state.db, &token).await {
        Ok(started) => open_visit(&state.leptos_options, locale, &session, started).await,
        Err(e) => {
            // A link used before is gone, whatever else went wrong is ours.
            let error = HttpError::in_locale("starting a PunchOut visit failed", e, locale);
            match error.status() {
                StatusCode::CONFLICT => message_page(
                    &state.leptos_options,
                    locale,
                    StatusCode::GONE,
                    locale.pick("PunchOut link expired", "PunchOut-Link abgelaufen"),
                    error.message(),
                ),
                _ => unavailable(&state.leptos_options, locale),
            }
        }
    }
}

fn unavailable(site: &LeptosOptions, locale: Locale) -> Response {
    message_page(
        site,
        locale,
        StatusCode::SERVICE_UNAVAILABLE,
        locale.pick("Service unavailable", "Dienst nicht verfügbar"),
        locale.pick(
            "simdesk cannot open the catalog right now. Try again in a moment.",
            "simdesk kann den Katalog gerade nicht öffnen. Versuchen Sie es gleich noch einmal.",
        ),
    )
}

fn ended(site: &LeptosOptions, locale: Locale) -> Response {
    message_page(
        site,
        locale,
        StatusCode::UNAUTHORIZED,
        locale.pick("PunchOut session ended", "PunchOut-Sitzung beendet"),
        locale.pick(
            "This PunchOut session has ended. Start again from your procurement system.",
            "Diese PunchOut-Sitzung ist beendet. Beginnen Sie erneut in Ihrem Beschaffungssystem.",
        ),
    )
}

/// The page that posts the cart to the procurement system: by itself with JavaScript, with
/// its button without.
fn return_page(site: &LeptosOptions, locale: Locale, cart: &CartReturn, nonce: &str) -> Response {
    let fields: String = cart
        .fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let target = cart
        .target
        .as_deref()
        .map(|t| format!(" target=\"{}\"", escape(t)))
        .unwrap_or_default();
    let body = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · simdesk</title>\
         <link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body class=\"min-h-screen bg-slate-50 text-slate-900 antialiased\">\
         <main class=\"mx-auto max-w-xl p-8\">\
         <form id=\"cart-return\" method=\"post\" action=\"{url}\"{target} accept-charset=\"UTF-8\">\
         {fields}<p class=\"text-slate-700\">{summary}</p>\
         <button type=\"submit\" class=\"mt-4 rounded-md bg-teal-700 px-4 py-2 font-medium text-white \
         hover:bg-teal-800 focus:outline-none focus:ring-2 focus:ring-teal-500 focus:ring-offset-2\">\
         {button}</button></form></main>\
         <script nonce=\"{nonce}\">document.getElementById('cart-return').submit();</script>\
         </body></html>",
        lang = locale.code(),
        title = locale.pick("Returning to procurement", "Zurück zur Beschaffung"),
        button = locale.pick(
            "Return to your procurement system",
            "Zurück zu Ihrem Beschaffungssystem"
        ),
        url = escape(&cart.url),
        summary = escape(&cart.summary),
        nonce = escape(nonce),
        stylesheet = escape(&stylesheet_href(site)),
    );
    let mut response = Html(body).into_response();
    let origin = url::Url::parse(&cart.url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    response.extensions_mut().insert(PagePolicy {
        frame_ancestors: Vec::new(),
        form_action: vec![origin],
    });
    response
}

/// Signs the browser in for a started visit and sends it to the catalog.
async fn open_visit(
    site: &LeptosOptions,
    locale: Locale,
    session: &Session,
    started: Started,
) -> Response {
    let stored = async {
        session.cycle_id().await?;
        session.insert(USER_ID_KEY, started.user_id).await?;
        session.insert(VOUCHED_ELSEWHERE_KEY, true).await?;
        session.insert(VISIT_KEY, started.visit).await
    };
    match stored.await {
        Ok(()) => Redirect::to("/punchout").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "storing the PunchOut session failed");
            unavailable(site, locale)
        }
    }
}

/// `GET` or `POST /punchout/oci/{tenant}`: SAP OCI 5.0 (see `punchout::oci`).
pub async fn oci(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    session: Session,
    Extension(nonce): Extension<CspNonce>,
    Form(entry): Form<OciEntry>,
) -> Response {
    let locale = page_locale(&headers);
    match oci::enter(&state.db, &state.sealing_key, &tenant, &entry).await {
        Ok(OciOutcome::Visit(started)) => {
            open_visit(&state.leptos_options, locale, &session, started).await
        }
        Ok(OciOutcome::Validated(cart)) => {
            return_page(&state.leptos_options, locale, &cart, &nonce.0)
        }
        Ok(OciOutcome::Detail(product, provider)) => {
            let body = format!(
                "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
                 <title>{name} · simdesk</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
                 <body class=\"min-h-screen bg-slate-50 text-slate-900 antialiased\"><main class=\"mx-auto max-w-xl p-8\">\
                 <p class=\"text-sm text-slate-500\">{provider}</p><h1 class=\"text-xl font-semibold\">{name}</h1>\
                 <p class=\"font-mono text-xs text-slate-500\">{part}</p><p class=\"mt-2\">{description}</p>\
                 <p class=\"mt-2 text-slate-700\">{features}</p><p class=\"mt-4 text-xl font-semibold\">{price}</p>\
                 <p class=\"text-xs text-slate-500\">{limits}</p></main></body></html>",
                lang = locale.code(),
                limits = escape(&match locale {
                    Locale::English => format!(
                        "per {}, {} to {} in steps of {}",
                        product.unit_of_measure,
                        product.min_order_quantity,
                        product.max_order_quantity,
                        product.order_increment
                    ),
                    Locale::German => format!(
                        "je {}, {} bis {} in Schritten von {}",
                        product.unit_of_measure,
                        product.min_order_quantity,
                        product.max_order_quantity,
                        product.order_increment
                    ),
                }),
                name = escape(&product.name),
                provider = escape(&provider),
                part = escape(&product.part_number),
                description = escape(&product.description),
                features = escape(&product.features),
                price = escape(&product.price.display),
                stylesheet = escape(&stylesheet_href(&state.leptos_options)),
            );
            Html(body).into_response()
        }
        Err(PunchOutError::Unauthorized) => message_page(
            &state.leptos_options,
            locale,
            StatusCode::UNAUTHORIZED,
            locale.pick("Catalog login refused", "Katalog-Anmeldung abgelehnt"),
            locale.pick(
                "The catalog login was refused. Check USERNAME and PASSWORD in the catalog's settings of your SAP system.",
                "Die Katalog-Anmeldung wurde abgelehnt. Prüfen Sie USERNAME und PASSWORD in den Katalogeinstellungen Ihres SAP-Systems.",
            ),
        ),
        Err(PunchOutError::Internal(detail)) => {
            tracing::error!(error = %detail, "an OCI call failed");
            unavailable(&state.leptos_options, locale)
        }
        // What the call lacked is named as the OCI protocol names it.
        Err(error) => message_page(
            &state.leptos_options,
            locale,
            StatusCode::from_u16(error.code() as u16).unwrap_or(StatusCode::BAD_REQUEST),
            locale.pick("Catalog call refused", "Katalogaufruf abgelehnt"),
            &error.to_string(),
        ),
    }
}

async fn send_back(
    state: &AppState,
    actor: Option<Actor>,
    headers: &HeaderMap,
    session: &Session,
    nonce: &CspNonce,
    form: Option<CartForm>,
) -> Response {
    // The visiting procurement user's language, once the visit knows them.
    let locale = actor
        .as_ref()
        .map_or_else(|| page_locale(headers), |actor| actor.language);
    let (Some(actor), Ok(Some(visit))) = (actor, session.get::<Visit>(VISIT_KEY).await) else {
        return ended(&state.leptos_options, locale);
    };
    match shopping::transfer(&state.db, &actor, visit, form).await {
        Ok(cart) => return_page(&state.leptos_options, locale, &cart, &nonce.0),
        Err(e) => {
            let error = HttpError::in_locale("returning a PunchOut cart failed", e, locale);
            match error.status() {
                // The cart page says what to change.
                StatusCode::BAD_REQUEST => {
                    let query = url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("error", error.message())
                        .finish();
                    Redirect::to(&format!("/punchout?{query}")).into_response()
                }
                status @ StatusCode::CONFLICT => message_page(
                    &state.leptos_options,
                    locale,
                    status,
                    locale.pick("PunchOut session ended", "PunchOut-Sitzung beendet"),
                    error.message(),
                ),
                // The visit is no longer this user's to send back.
                StatusCode::NOT_FOUND | StatusCode::FORBIDDEN => {
                    ended(&state.leptos_options, locale)
                }
                _ => unavailable(&state.leptos_options, locale),
            }
        }
    }
}

/// Reads the cart form: `quantity_{product id}` per product and `override_{kind}` per SIM
/// setting (empty for the account's default). None when the form is damaged.
fn cart_form(fields: Vec<(String, String)>) -> Option<CartForm> {
    let mut form = CartForm::default();
    for (name, value) in fields {
        if let Some(id) = name.strip_prefix("quantity_") {
            form.quantities.push((id.parse().ok()?, value));
        } else if let Some(kind) = name.strip_prefix("override_") {
            let kind = OptionKind::parse(kind)?;
            let value = value.trim();
            let choice = if value.is_empty() {
                None
            } else {
                Some(value.parse().ok()?)
            };
            form.overrides.set(kind, choice);
        }
    }
    Some(form)
}

/// `POST /punchout/transfer`: the cart form (see [`cart_form`]).
pub async fn transfer(
    State(state): State<AppState>,
    actor: Option<Extension<Actor>>,
    headers: HeaderMap,
    session: Session,
    Extension(nonce): Extension<CspNonce>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let Some(form) = cart_form(fields) else {
        return Redirect::to("/punchout?error=The+cart+form+is+damaged%3B+reload+the+page.")
            .into_response();
    };
    send_back(
        &state,
        actor.map(|a| a.0),
        &headers,
        &session,
        &nonce,
        Some(form),
    )
    .await
}

/// `POST /punchout/cancel`: returns to the procurement system without changes.
pub async fn cancel(
    State(state): State<AppState>,
    actor: Option<Extension<Actor>>,
    headers: HeaderMap,
    session: Session,
    Extension(nonce): Extension<CspNonce>,
) -> Response {
    send_back(&state, actor.map(|a| a.0), &headers, &session, &nonce, None).await
}

/// On PunchOut paths: hands the visit to the page and lets the visit's procurement system
/// frame it.
pub async fn frame_policy(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let visit = session.get::<Visit>(VISIT_KEY).await.ok().flatten();
    if let Some(visit) = visit {
        // The page's server functions find the visit here.
        request.extensions_mut().insert(visit);
    }
    let mut response = next.run(request).await;
    // The start link's own answer is framed too: the visit begins during that request.
    let visit = match visit {
        Some(visit) => Some(visit),
        None => session.get::<Visit>(VISIT_KEY).await.ok().flatten(),
    };
    if let Some(visit) = visit {
        match shopping::frame_ancestors(&state.db, visit).await {
            Ok(origins) if !origins.is_empty() => {
                let policy = response
                    .extensions_mut()
                    .get_or_insert_default::<PagePolicy>();
                policy.frame_ancestors = origins;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reading the PunchOut frame policy failed"),
        }
    }
    response
}

/// Marks the PunchOut session cookie `Partitioned` (CHIPS), which tower-sessions cannot set
/// itself: browsers that block third-party cookies still keep it for the framing site.
pub async fn partitioned_cookie(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let cookies: Vec<HeaderValue> = response
        .headers_mut()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| match value.to_str() {
            Ok(text) if text.starts_with(PUNCHOUT_COOKIE) && !text.contains("Partitioned") => {
                HeaderValue::from_str(&format!("{text}; Partitioned")).unwrap_or(value.clone())
            }
            _ => value.clone(),
        })
        .collect();
    response.headers_mut().remove(header::SET_COOKIE);
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
