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

/// The tenant's alarms.
#[server(endpoint = "alarms")]
pub async fn alarms() -> Result<types::AlarmList, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::alarms::list(&ssr::db()?, &actor).await?)
}

/// Acknowledges (`resolve` empty) or resolves an alarm.
#[server(endpoint = "settle_alarm")]
pub async fn settle_alarm(id: i64, #[server(default)] resolve: String) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    let db = ssr::db()?;
    if resolve.is_empty() {
        simdesk_domain::alarms::acknowledge(&db, &actor, id).await?;
    } else {
        simdesk_domain::alarms::resolve(&db, &actor, id).await?;
    }
    Ok(())
}
