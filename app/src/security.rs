//! The Content-Security-Policy. Pages rendered by Leptos allow their own inline scripts (the
//! hydration bootstrap and resolved data) by a fresh nonce per response, and nothing else inline.

/// The policy, with the nonce of a rendered page or without one for every other response.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    content_security_policy_for(nonce, &PagePolicy::default())
}

/// What one response may relax: PunchOut pages may be framed by the procurement system's
/// origins, and the page that returns a cart posts its form to that system.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PagePolicy {
    pub frame_ancestors: Vec<String>,
    pub form_action: Vec<String>,
}

/// The policy for one response, with its relaxations.
pub fn content_security_policy_for(nonce: Option<&str>, page: &PagePolicy) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    let frame_ancestors = if page.frame_ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        page.frame_ancestors.join(" ")
    };
    let form_action = std::iter::once("'self'")
        .chain(page.form_action.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: https:; connect-src 'self'; object-src 'none'; frame-ancestors {frame_ancestors}; \
         base-uri 'self'; form-action {form_action}"
    )
}

/// The nonce the server minted for this request; the server also names it in the policy
/// header of the response, so page and header always agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspNonce(pub String);

/// Makes the request's nonce the one Leptos puts on its inline scripts.
#[cfg(feature = "ssr")]
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};

    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(value));
    }
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    fn directive<'a>(policy: &'a str, name: &str) -> &'a str {
        policy
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with(name))
            .unwrap_or_default()
    }

    #[test]
    fn inline_scripts_need_the_nonce() {
        let with_nonce = content_security_policy(Some("abc"));
        assert_eq!(
            directive(&with_nonce, "script-src"),
            "script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"
        );
        let without = content_security_policy(None);
        assert_eq!(
            directive(&without, "script-src"),
            "script-src 'self' 'wasm-unsafe-eval'"
        );
        assert_eq!(
            directive(&without, "frame-ancestors"),
            "frame-ancestors 'none'"
        );
        assert_eq!(directive(&without, "object-src"), "object-src 'none'");
    }

    #[test]
    fn a_page_may_relax_framing_and_form_targets_only() {
        let page = super::PagePolicy {
            frame_ancestors: vec!["https://buyer.example".into()],
            form_action: vec!["https://buyer.example".into()],
        };
        let policy = super::content_security_policy_for(None, &page);
        assert_eq!(
            directive(&policy, "frame-ancestors"),
            "frame-ancestors https://buyer.example"
        );
        assert_eq!(
            directive(&policy, "form-action"),
            "form-action 'self' https://buyer.example"
        );
        assert_eq!(directive(&policy, "default-src"), "default-src 'self'");
    }
}
