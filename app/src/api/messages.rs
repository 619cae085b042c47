//! The message trace's server functions: thin calls into `simdesk_domain::trace`.

use leptos::prelude::*;
use simdesk_types as types;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// One page of the tenant's message trace. Empty filters mean "any".
#[server(endpoint = "message_trace")]
pub async fn message_trace(
    #[server(default)] channel: String,
    #[server(default)] direction: String,
    #[server(default)] problems: String,
    #[server(default)] q: String,
    after: Option<String>,
) -> Result<types::TracePage, AppError> {
    let actor = ssr::actor()?;
    let query = simdesk_domain::trace::TraceQuery {
        channel: types::MessageChannel::parse(&channel),
        direction: types::MessageDirection::parse(&direction),
        problems_only: !problems.is_empty(),
        search: q,
        after: after.filter(|a| !a.is_empty()),
        limit: 50,
    };
    Ok(simdesk_domain::trace::list(&ssr::db()?, &actor, query).await?)
}

#[server(endpoint = "message_detail")]
pub async fn message_detail(key: String) -> Result<types::TraceDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::trace::detail(&ssr::db()?, &actor, &key).await?)
}

/// Puts a given-up message back in its queue.
#[server(endpoint = "send_message_again")]
pub async fn send_message_again(key: String) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::trace::send_again(&ssr::db()?, &actor, &key).await?)
}
