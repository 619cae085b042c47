//! The id of the HTTP request a service call serves, so the rows it writes (audit entries,
//! cXML documents received, messages queued) name the request that the logs name too. The edge
//! runs each request inside [`scope`]; work outside a request (workers, the CLI) has none. A
//! call of the REST API also names its token ([`with_api_token`]) for the audit log, and its
//! `Idempotency-Key` ([`with_idempotency_key`]), so the change it commits marks the key.
//! A leaf: imports nothing of the crate.

tokio::task_local! {
    static REQUEST_ID: String;
    static API_TOKEN: i64;
    static IDEMPOTENCY_KEY: String;
}

/// Runs `work` as part of the request `id`.
pub async fn scope<F: std::future::Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// The id of the request being served, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Runs `work` as a call of the REST API made with the token `token_id`, so the audit rows it
/// writes name the token.
pub async fn with_api_token<F: std::future::Future>(token_id: i64, work: F) -> F::Output {
    API_TOKEN.scope(token_id, work).await
}

/// The API token of the call being served, if it came through the REST API.
pub fn api_token() -> Option<i64> {
    API_TOKEN.try_with(|id| *id).ok()
}

/// Runs `work` as a call of the REST API that carries the `Idempotency-Key` `key`.
pub async fn with_idempotency_key<F: std::future::Future>(key: String, work: F) -> F::Output {
    IDEMPOTENCY_KEY.scope(key, work).await
}

/// The `Idempotency-Key` of the call being served, if it carries one.
pub fn idempotency_key() -> Option<String> {
    IDEMPOTENCY_KEY.try_with(Clone::clone).ok()
}

/// A new request id: 128 random bits in hex.
pub fn generate() -> String {
    use rand::Rng;
    format!("{:032x}", rand::thread_rng().gen::<u128>())
}

/// Whether a request id a client or load balancer sent is fit to keep: short, and made of
/// characters that need no escaping anywhere it is shown.
pub fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_id_is_seen_inside_its_scope_only() {
        assert_eq!(current(), None);
        let seen = scope("req-1".into(), async { current() }).await;
        assert_eq!(seen.as_deref(), Some("req-1"));
        assert_eq!(current(), None);
    }

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(acceptable("3f2a-9c_01.x:1"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("a b"));
        assert!(!acceptable("<script>"));
        assert!(acceptable(&generate()));
    }
}
