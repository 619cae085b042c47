//! CSV downloads and the product CSV upload: plain HTTP, so they work with or without
//! JavaScript and from scripts.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use simdesk_domain::{accounts, catalog, orders, Actor, DomainError};
use simdesk_types::{ImportOutcome, Wording, IMPORT_OUTCOME_KEY, STOCK_IMPORT_OUTCOME_KEY};
use tower_sessions::Session;

use crate::http_error::HttpError;
use crate::AppState;

/// The largest CSV file accepted for import.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;
/// The largest SIM stock file: room for the 200,000 rows the service accepts at once.
pub const MAX_STOCK_BYTES: usize = 24 * 1024 * 1024;

fn download(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// The signed-in actor, or where the browser must go first: to sign in (and back to
/// `sign_in_next`), to change the password an admin chose, or to set up the second factor the
/// provider requires.
fn ready(
    actor: Option<Extension<Actor>>,
    sign_in_next: impl AsRef<str>,
) -> Result<Actor, Redirect> {
    match actor {
        None => Err(Redirect::to(&format!(
            "/sign-in?next={}",
            sign_in_next.as_ref()
        ))),
        Some(Extension(actor)) if actor.must_change_password => {
            Err(Redirect::to("/account/password"))
        }
        Some(Extension(actor)) if actor.must_enrol_second_factor => {
            Err(Redirect::to("/account/security"))
        }
        Some(Extension(actor)) => Ok(actor),
    }
}

fn refused(error: DomainError) -> Response {
    HttpError::new("CSV request failed", error).into_response()
}

pub async fn export_products(
    State(state): State<AppState>,
    actor: Option<Extension<Actor>>,
) -> Response {
    let actor = match ready(actor, "/catalog") {
        Ok(actor) => actor,
        Err(elsewhere) => return elsewhere.into_response(),
    };
    match catalog::export_products_csv(&state.db, &actor).await {
        Ok(csv) => download("products.csv", csv),
        Err(error) => refused(error),
    }
}

pub async fn export_accounts(
    State(state): State<AppState>,
    actor: Option<Extension<Actor>>,
) -> Response {
    let actor = match ready(actor, "/accounts") {
        Ok(actor) => actor,
        Err(elsewhere) => return elsewhere.into_response(),
    };
    match accounts::export_csv(&state.db, &actor).await {
        Ok(csv) => download("accounts.csv", csv),
        Err(error) => refused(error),
    }
}

pub async fn export_po_sims(
    State(state): State<AppState>,
    actor: Option<Extension<Actor>>,
    Path(id): Path<i64>,
) -> Response {
    let actor = match ready(actor, format!("/orders/{id}")) {
        Ok(actor) => actor,
        Err(elsewhere) => return elsewhere.into_response(),
    };
    match orders::sims_csv(&state.db, &actor, id).await {
        Ok(csv) => download(&format!("sims-{id}.csv"), csv),
        Err(error) => refused(error),
    }
}

/// The outcome of an import as the page shows it: the report, or why the file was refused
/// (`not_allowed` when the actor may not import); an error answer for faults of our own.
fn outcome_of(
    result: Result<simdesk_types::ImportReport, DomainError>,
    actor: &Actor,
    not_allowed: Wording,
) -> Result<ImportOutcome, HttpError> {
    let error = match result {
        Ok(report) => return Ok(ImportOutcome::Report(report)),
        Err(error) => HttpError::in_locale("CSV request failed", error, actor.language),
    };
    match error.status() {
        StatusCode::BAD_REQUEST | StatusCode::CONFLICT => {
            Ok(ImportOutcome::Refused(error.into_message()))
        }
        StatusCode::FORBIDDEN => Ok(ImportOutcome::Refused(
            not_allowed.in_locale(actor.language).to_owned(),
        )),
        _ => Err(error),
    }
}

/// Loads SIMs into the tenant's stock and shows the outcome on the stock page.
pub async fn import_stock(
    State(state): State<AppState>,
    actor: Option<Extension<Actor>>,
    session: Session,
    headers: axum::http::HeaderMap,
    mut form: Multipart,
) -> Response {
    // The page's own upload (with a progress bar) asks where to go instead of following a
    // redirect: following it would load the page, and so take the outcome, out of sight.
    let scripted = headers
        .get("x-requested-with")
        .is_some_and(|v| v == "XMLHttpRequest");
    let actor = match ready(actor, "/stock") {
        Ok(actor) => actor,
        Err(elsewhere) => return elsewhere.into_response(),
    };
    let outcome = match read_file(&mut form).await {
        Err(message) => ImportOutcome::Refused(message),
        Ok(text) => match outcome_of(
            orders::stock::import_csv(&state.db, &actor, &text).await,
            &actor,
            Wording::new(
                "Only the tenant's admins load SIMs.",
                "Nur die Admins des Anbieters laden SIMs.",
            ),
        ) {
            Ok(outcome) => outcome,
            Err(error) => return error.into_response(),
        },
    };
    if let Err(e) = session.insert(STOCK_IMPORT_OUTCOME_KEY, outcome).await {
        tracing::error!(error = %e, "keeping the stock import outcome failed");
    }
    if scripted {
        return (StatusCode::OK, "/stock").into_response();
    }
    Redirect::to("/stock").into_response()
}

/// Reads the uploaded file, imports it, and shows the outcome on the import page.
pub async fn import_products(
    State(state): State<AppState>,
    actor: Option<Extension<Actor>>,
    session: Session,
    mut form: Multipart,
) -> Response {
    let actor = match ready(actor, "/catalog/import") {
        Ok(actor) => actor,
        Err(elsewhere) => return elsewhere.into_response(),
    };
    let outcome = match read_file(&mut form).await {
        Err(message) => ImportOutcome::Refused(message),
        Ok(text) => match outcome_of(
            catalog::import_products_csv(&state.db, &actor, &text).await,
            &actor,
            Wording::new(
                "You are not allowed to change the catalog.",
                "Sie dürfen den Katalog nicht ändern.",
            ),
        ) {
            Ok(outcome) => outcome,
            Err(error) => return error.into_response(),
        },
    };
    if let Err(e) = session.insert(IMPORT_OUTCOME_KEY, outcome).await {
        tracing::error!(error = %e, "keeping the import outcome failed");
    }
    Redirect::to("/catalog/import").into_response()
}

async fn read_file(form: &mut Multipart) -> Result<String, String> {
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| format!("The upload could not be read: {e}"))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let bytes = field
            .bytes()
            .await
            .map_err(|e| format!("The upload could not be read: {e}"))?;
        if bytes.is_empty() {
            return Err("The file is empty.".into());
        }
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| "The file is not UTF-8 text; save it as CSV UTF-8.".to_owned())?;
        // Spreadsheet programs often start UTF-8 files with a byte-order mark.
        return Ok(text.trim_start_matches('\u{feff}').to_owned());
    }
    Err("Choose a CSV file to import.".into())
}
