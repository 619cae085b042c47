//! What a form posted without JavaScript did, carried back to the page it came from.
//!
//! A server function posted by a plain `<form>` answers with a redirect to the page that posted
//! it; a failure is named in that address (`__path`, `__err`), which the page shows beside the
//! form. Two things were missing, which the hydrated app does in place:
//! - a success was not named, so the page came back without a word. This adds
//!   `__done=<path of the server function>` to a success's redirect, and the page shows the
//!   action's success message for it (`app::components::action_feedback`);
//! - after a failure the form came back empty. This keeps the fields that were posted (never a
//!   password, secret, token or code) in the session, and when the page comes back with the
//!   error, puts them into that form again ([`refill`]), once.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lol_html::html_content::{ContentType, Element};
use lol_html::{rewrite_str, ElementContentHandlers, RewriteStrSettings, Selector};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use url::Url;

use app::components::DONE_PARAMETER;

/// The server functions' paths (registered when the program starts; read once, on first use).
fn server_function_paths() -> &'static HashSet<&'static str> {
    static PATHS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    PATHS.get_or_init(|| {
        leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path)
            .collect()
    })
}

/// The session key of the fields of the last refused plain form post.
const RETURNED_FORM_KEY: &str = "form_outcome.returned";
/// The session key of the answer of the last successful plain form post.
const ANSWER_KEY: &str = "form_outcome.answer";
/// The largest answer kept for the page (a server function's answers are small records).
const MAX_ANSWER_BYTES: usize = 256 * 1024;
/// As much as axum takes of a form by default.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;
/// The largest page whose form is filled in again; a larger one is sent as it is.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// The fields of a refused plain form post, kept until its page comes back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ReturnedForm {
    /// The server function the form posted to (its `action`).
    path: String,
    /// The posted fields in order, without the secret ones.
    fields: Vec<(String, String)>,
}

/// Carries the outcome of plain form posts to server functions back to their pages: marks a
/// success's redirect with `__done`, keeps a refused form's fields, and fills them in again
/// when the page comes back with the error.
pub async fn carry_plain_form_outcome(request: Request, next: Next) -> Response {
    if is_plain_form_post(&request) {
        plain_form_post(request, next).await
    } else if request.method() == Method::GET {
        page_after_plain_post(request, next).await
    } else {
        next.run(request).await
    }
}

fn is_plain_form_post(request: &Request) -> bool {
    request.method() == Method::POST
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
        && server_function_paths().contains(request.uri().path())
}

async fn plain_form_post(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let referer = request
        .headers()
        .get(header::REFERER)
        .and_then(|referer| referer.to_str().ok())
        .and_then(|referer| Url::parse(referer).ok());
    let session = request.extensions().get::<Session>().cloned();
    let urlencoded = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|kind| kind.to_str().ok())
        .is_some_and(|kind| kind.starts_with("application/x-www-form-urlencoded"));
    // A file upload (multipart) is not kept: a browser never fills in a file field for a page.
    let (request, fields) = if urlencoded {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
        };
        let fields = kept_fields(&bytes);
        (Request::from_parts(parts, Body::from(bytes)), fields)
    } else {
        (request, Vec::new())
    };
    let mut response = next.run(request).await;
    let Some(referer) = referer else {
        return response;
    };
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|location| location.to_str().ok())
        .and_then(|location| referer.join(location).ok());
    // Only the redirect back to the posting page: a server function that sends the browser
    // elsewhere (a new order's page, the sign-in page) says what it did there.
    let Some(location) = location.filter(|location| {
        location.origin() == referer.origin() && location.path() == referer.path()
    }) else {
        return response;
    };
    let failed = location.query_pairs().any(|(key, _)| key == "__err");
    let marked = with_outcome(&location, (!failed).then_some(path.as_str()));
    if let Ok(value) = HeaderValue::from_str(&relative(&marked)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    let Some(session) = session else {
        return response;
    };
    if failed {
        keep_for_the_page(&session, Some(ReturnedForm { path, fields }), None).await;
        return response;
    }
    // The answer (the server function's output, as the hydrated app would have read it) waits
    // for the page, which shows it where it would have shown it in place.
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_ANSWER_BYTES).await else {
        tracing::warn!(
            path,
            "a plain form post's answer too large to keep for its page"
        );
        keep_for_the_page(&session, None, None).await;
        return Response::from_parts(parts, Body::empty());
    };
    let answer =
        String::from_utf8(body.to_vec())
            .ok()
            .map(|body| app::components::PlainFormAnswer {
                path: path.clone(),
                body,
            });
    keep_for_the_page(&session, None, answer).await;
    Response::from_parts(parts, Body::from(body))
}

/// The posted fields a page may be filled in with again: never a password, a secret, a token
/// or a code (second factor, recovery), which the user types again.
fn kept_fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .filter(|(name, _)| {
            let name = name.to_ascii_lowercase();
            !["password", "secret", "token"]
                .iter()
                .any(|word| name.contains(word))
                && name != "code"
                && !name.ends_with("[code]")
        })
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// Keeps what the page needs after a plain form post: a refused form's fields, or a success's
/// answer; whatever an earlier post left is replaced.
async fn keep_for_the_page(
    session: &Session,
    refused: Option<ReturnedForm>,
    answer: Option<app::components::PlainFormAnswer>,
) {
    let kept = async {
        match refused.filter(|form| !form.fields.is_empty()) {
            Some(form) => session.insert(RETURNED_FORM_KEY, form).await?,
            None => {
                session.remove::<ReturnedForm>(RETURNED_FORM_KEY).await?;
            }
        }
        match answer {
            Some(answer) => session.insert(ANSWER_KEY, answer).await,
            None => session
                .remove::<app::components::PlainFormAnswer>(ANSWER_KEY)
                .await
                .map(|_| ()),
        }
    };
    if let Err(error) = kept.await {
        // The post itself went through; only the convenience is lost.
        tracing::warn!(%error, "keeping a plain form post's outcome for its page failed");
    }
}

/// A page that comes back after a plain form post gets its outcome, once: a success's answer
/// for the action that posted (as a request extension the app reads), a refusal's fields
/// filled into the form again.
async fn page_after_plain_post(mut request: Request, next: Next) -> Response {
    let done = request.uri().query().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == DONE_PARAMETER)
            .map(|(_, path)| path.into_owned())
    });
    if let (Some(done), Some(session)) = (done, request.extensions().get::<Session>().cloned()) {
        if let Ok(Some(answer)) = session
            .get::<app::components::PlainFormAnswer>(ANSWER_KEY)
            .await
        {
            if answer.path == done {
                keep_for_the_page(&session, None, None).await;
                request.extensions_mut().insert(answer);
            }
        }
        return next.run(request).await;
    }
    page_after_refusal(request, next).await
}

/// A page that comes back with a refused post's error gets that form's fields again, once.
async fn page_after_refusal(request: Request, next: Next) -> Response {
    let refused_path = request.uri().query().and_then(|query| {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
        let failed = pairs.iter().any(|(key, _)| key == "__err");
        pairs
            .into_iter()
            .find(|(key, _)| key == "__path")
            .filter(|_| failed)
            .map(|(_, path)| path)
    });
    let session = request.extensions().get::<Session>().cloned();
    let (Some(refused_path), Some(session)) = (refused_path, session) else {
        return next.run(request).await;
    };
    let returned = match session.get::<ReturnedForm>(RETURNED_FORM_KEY).await {
        Ok(Some(form)) if form.path == refused_path => form,
        _ => return next.run(request).await,
    };
    keep_for_the_page(&session, None, None).await;
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|kind| kind.to_str().ok())
        .is_some_and(|kind| kind.starts_with("text/html"));
    if response.status() != StatusCode::OK || !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        tracing::warn!("a page too large to fill a refused form in again");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|page| match refill(page, &returned) {
            Ok(page) => Some(page),
            Err(error) => {
                tracing::warn!(%error, "filling a refused form in again failed");
                None
            }
        });
    parts.headers.remove(header::CONTENT_LENGTH);
    match page {
        Some(page) => Response::from_parts(parts, Body::from(page)),
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[derive(Debug, thiserror::Error)]
enum RefillError {
    #[error("the form's address {0:?} is not a server function's path")]
    Path(String),
    #[error(transparent)]
    Selector(#[from] lol_html::errors::SelectorError),
    #[error(transparent)]
    Rewriting(#[from] lol_html::errors::RewritingError),
}

type Handler<'h> = (Cow<'static, Selector>, ElementContentHandlers<'h>);

fn on_element<'h>(
    selector: &str,
    handler: impl FnMut(&mut Element<'_, '_>) -> lol_html::HandlerResult + 'h,
) -> Result<Handler<'h>, RefillError> {
    Ok((
        Cow::Owned(selector.parse::<Selector>()?),
        ElementContentHandlers::default().element(handler),
    ))
}

/// `page` with the refused form filled in again: the form that posts to `form.path` and whose
/// hidden fields (the record it is about) are those posted. Text fields and text areas get the
/// posted values, check boxes, radio buttons and options are chosen as posted; password and
/// file fields stay empty.
fn refill(page: &str, form: &ReturnedForm) -> Result<String, RefillError> {
    if !form
        .path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b))
    {
        return Err(RefillError::Path(form.path.clone()));
    }
    let form_selector = format!("form[action=\"{}\"]", form.path);
    let posted = |name: &str, value: &str| form.fields.iter().any(|(n, v)| n == name && v == value);

    // First pass: which of the forms that post there is the one (a list has one per row).
    let hidden_fields: RefCell<Vec<Vec<(String, String)>>> = RefCell::new(Vec::new());
    rewrite_str(
        page,
        RewriteStrSettings {
            element_content_handlers: vec![
                on_element(&form_selector, |_| {
                    hidden_fields.borrow_mut().push(Vec::new());
                    Ok(())
                })?,
                on_element(&format!("{form_selector} input[type=hidden]"), |input| {
                    if let (Some(name), Some(fields)) = (
                        input.get_attribute("name"),
                        hidden_fields.borrow_mut().last_mut(),
                    ) {
                        fields.push((name, input.get_attribute("value").unwrap_or_default()));
                    }
                    Ok(())
                })?,
            ],
            ..RewriteStrSettings::new()
        },
    )?;
    let Some(target) = hidden_fields
        .into_inner()
        .iter()
        .position(|hidden| hidden.iter().all(|(name, value)| posted(name, value)))
    else {
        return Ok(page.to_owned());
    };

    // Second pass: fill that form in.
    let seen = Cell::new(0usize);
    let in_target = Cell::new(false);
    let used: RefCell<HashMap<String, usize>> = RefCell::new(HashMap::new());
    let next_value = |name: &str| {
        let mut used = used.borrow_mut();
        let index = used.entry(name.to_owned()).or_default();
        let value = form
            .fields
            .iter()
            .filter(|(n, _)| n == name)
            .nth(*index)
            .map(|(_, v)| v.clone());
        *index += 1;
        value
    };
    let select_name: RefCell<Option<String>> = RefCell::new(None);
    let filled = rewrite_str(
        page,
        RewriteStrSettings {
            element_content_handlers: vec![
                on_element(&form_selector, |_| {
                    in_target.set(seen.get() == target);
                    seen.set(seen.get() + 1);
                    Ok(())
                })?,
                on_element(&format!("{form_selector} input"), |input| {
                    let Some(name) = input.get_attribute("name").filter(|_| in_target.get()) else {
                        return Ok(());
                    };
                    let kind = input
                        .get_attribute("type")
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    match kind.as_str() {
                        "hidden" | "password" | "file" | "submit" | "button" | "image"
                        | "reset" => {}
                        "checkbox" | "radio" => {
                            let value = input
                                .get_attribute("value")
                                .unwrap_or_else(|| "on".to_owned());
                            if posted(&name, &value) {
                                input.set_attribute("checked", "")?;
                            } else {
                                input.remove_attribute("checked");
                            }
                        }
                        _ => {
                            if let Some(value) = next_value(&name) {
                                input.set_attribute("value", &value)?;
                            }
                        }
                    }
                    Ok(())
                })?,
                on_element(&format!("{form_selector} select"), |select| {
                    *select_name.borrow_mut() = select.get_attribute("name").filter(|name| {
                        in_target.get() && form.fields.iter().any(|(n, _)| n == name)
                    });
                    Ok(())
                })?,
                on_element(&format!("{form_selector} option[value]"), |option| {
                    if let Some(name) = select_name.borrow().as_deref() {
                        let value = option.get_attribute("value").unwrap_or_default();
                        if posted(name, &value) {
                            option.set_attribute("selected", "")?;
                        } else {
                            option.remove_attribute("selected");
                        }
                    }
                    Ok(())
                })?,
                on_element(&format!("{form_selector} textarea"), |area| {
                    if let Some(value) = area
                        .get_attribute("name")
                        .filter(|_| in_target.get())
                        .and_then(|name| next_value(&name))
                    {
                        area.set_inner_content(&value, ContentType::Text);
                    }
                    Ok(())
                })?,
            ],
            ..RewriteStrSettings::new()
        },
    )?;
    Ok(filled)
}

/// `location` without an earlier post's `__done`, and with `done` if given.
fn with_outcome(location: &Url, done: Option<&str>) -> Url {
    let kept: Vec<(String, String)> = location
        .query_pairs()
        .filter(|(key, _)| key != DONE_PARAMETER)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let mut marked = location.clone();
    marked.set_query(None);
    if !kept.is_empty() || done.is_some() {
        let mut pairs = marked.query_pairs_mut();
        pairs.extend_pairs(kept);
        if let Some(done) = done {
            pairs.append_pair(DONE_PARAMETER, done);
        }
    }
    marked
}

/// The path, query and fragment: the page's own origin stays implicit, as it was posted from.
fn relative(url: &Url) -> String {
    let mut relative = url.path().to_owned();
    if let Some(query) = url.query() {
        relative.push('?');
        relative.push_str(query);
    }
    if let Some(fragment) = url.fragment() {
        relative.push('#');
        relative.push_str(fragment);
    }
    relative
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a test URL")
    }

    #[test]
    fn a_success_names_its_server_function_and_forgets_an_earlier_one() {
        let location = url("https://portal.example/users?tab=staff&__done=%2Fapi%2Fold");
        let marked = with_outcome(&location, Some("/api/change_role"));
        assert_eq!(
            relative(&marked),
            "/users?tab=staff&__done=%2Fapi%2Fchange_role"
        );
    }

    #[test]
    fn a_failure_keeps_its_error_and_drops_an_earlier_success() {
        let location =
            url("https://portal.example/users?__done=%2Fapi%2Fold&__path=%2Fapi%2Fx&__err=e");
        let marked = with_outcome(&location, None);
        assert_eq!(relative(&marked), "/users?__path=%2Fapi%2Fx&__err=e");
    }

    fn returned(path: &str, fields: &[(&str, &str)]) -> ReturnedForm {
        ReturnedForm {
            path: path.to_owned(),
            fields: fields
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn secrets_are_never_kept() {
        let kept = kept_fields(b"email=a%40b.example&password=x&new_password=y&client_secret=z&code=123456&settings%5Bcode%5D=1&token_name=t&name=N");
        assert_eq!(
            kept,
            vec![
                ("email".to_owned(), "a@b.example".to_owned()),
                ("name".to_owned(), "N".to_owned())
            ]
        );
    }

    #[test]
    fn the_refused_form_gets_its_fields_back_and_no_other() {
        let page = r#"<form action="/api/search"><input name="email" value=""></form>
<form method="post" action="/api/create_user"><input name="email" value=""><input type="password" name="password"><select name="role"><option value="viewer" selected>V</option><option value="sp_agent">A</option></select><input type="checkbox" name="notify" value="on" checked><textarea name="note"></textarea><button type="submit">Create</button></form>"#;
        let form = returned(
            "/api/create_user",
            &[
                ("email", "nina@\"example\""),
                ("role", "sp_agent"),
                ("note", "<b>hi</b>"),
            ],
        );
        let filled = refill(page, &form).expect("filled");
        assert!(
            filled.starts_with(r#"<form action="/api/search"><input name="email" value="">"#),
            "{filled}"
        );
        assert!(
            filled.contains(r#"<input name="email" value="nina@&quot;example&quot;">"#),
            "{filled}"
        );
        assert!(
            filled.contains(r#"<input type="password" name="password">"#),
            "{filled}"
        );
        assert!(
            filled.contains(
                r#"<option value="viewer">V</option><option value="sp_agent" selected="">A</option>"#
            ),
            "{filled}"
        );
        assert!(
            filled.contains(r#"<input type="checkbox" name="notify" value="on">"#),
            "{filled}"
        );
        assert!(
            filled.contains("<textarea name=\"note\">&lt;b&gt;hi&lt;/b&gt;</textarea>"),
            "{filled}"
        );
    }

    #[test]
    fn of_a_list_of_forms_only_the_row_posted_is_filled() {
        let row = |id: u32| {
            format!(
                r#"<form action="/api/set_limit"><input type="hidden" name="user_id" value="{id}"><input name="limit" value="10"></form>"#
            )
        };
        let page = format!("{}{}{}", row(1), row(2), row(3));
        let form = returned("/api/set_limit", &[("user_id", "2"), ("limit", "-5")]);
        let filled = refill(&page, &form).expect("filled");
        assert_eq!(
            filled,
            format!(
                "{}{}{}",
                row(1),
                row(2).replace(r#"value="10""#, r#"value="-5""#),
                row(3)
            )
        );
    }

    #[test]
    fn a_form_no_longer_on_the_page_leaves_it_as_it_was() {
        let page = r#"<form action="/api/set_limit"><input type="hidden" name="user_id" value="1"><input name="limit" value="10"></form>"#;
        let form = returned("/api/set_limit", &[("user_id", "9"), ("limit", "-5")]);
        assert_eq!(refill(page, &form).expect("unchanged"), page);
        assert!(refill(page, &returned("/api/x\"]", &[])).is_err());
    }

    #[test]
    fn a_page_without_a_query_gets_none_back() {
        let marked = with_outcome(&url("https://portal.example/settings"), None);
        assert_eq!(relative(&marked), "/settings");
    }
}
