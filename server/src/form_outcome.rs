//! What a form posted without JavaScript did, carried back to the page it came from.
//!
//! A server function posted by a plain `<form>` answers with a redirect to the page that posted
//! it; a failure is named in that address (`__path`, `__err`), which the page shows beside the
//! form. A success was not, so the page came back without a word. This adds `__done=<path of
//! the server function>` to a success's redirect, and the page shows the action's success
//! message for it (`app::components::action_feedback`), as it does with JavaScript.

use std::collections::HashSet;
use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
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

/// Marks the redirect of a successful plain form post to a server function with `__done`, and
/// drops a `__done` of an earlier post from a failure's.
pub async fn mark_plain_form_outcome(request: Request, next: Next) -> Response {
    let plain_form_post = request.method() == Method::POST
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
        && server_function_paths().contains(request.uri().path());
    if !plain_form_post {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let referer = request
        .headers()
        .get(header::REFERER)
        .and_then(|referer| referer.to_str().ok())
        .and_then(|referer| Url::parse(referer).ok());
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
    response
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

    #[test]
    fn a_page_without_a_query_gets_none_back() {
        let marked = with_outcome(&url("https://portal.example/settings"), None);
        assert_eq!(relative(&marked), "/settings");
    }
}
