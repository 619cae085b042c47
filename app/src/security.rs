//! The Content-Security-Policy. Pages rendered by Leptos allow their own inline scripts (the
//! hydration bootstrap and resolved data) by a fresh nonce per response, and nothing else inline.

/// The policy, with the nonce of a rendered page or without one for every other response.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; \
         base-uri 'self'; form-action 'self'"
    )
}

/// Creates this response's nonce and sends the policy that names it.
#[cfg(feature = "ssr")]
pub fn provide_nonce_and_policy() {
    use leptos::nonce::{provide_nonce, use_nonce};
    use leptos::prelude::use_context;

    provide_nonce();
    if let (Some(nonce), Some(response)) =
        (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    {
        if let Ok(value) = http::HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    #[test]
    fn inline_scripts_need_the_nonce() {
        let with_nonce = content_security_policy(Some("abc"));
        assert!(with_nonce.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        let without = content_security_policy(None);
        assert!(
            !without.contains("unsafe-inline'; img")
                && !without.contains("script-src 'self' 'unsafe-inline'")
        );
        assert!(without.contains("frame-ancestors 'none'"));
    }
}
