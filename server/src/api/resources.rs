//! The API's reads besides orders and the catalog: the caller, and for provider tokens the
//! accounts, the SIM stock, the message trace and the alarms.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use simdesk_domain::trace::TraceQuery;
use simdesk_domain::{accounts, alarms, orders, trace};
use simdesk_types::{ApiScope, MessageChannel, MessageDirection};
use utoipa::IntoParams;

use super::caller::Caller;
use super::extract::{coded, ApiQuery};
use super::model::{Account, AccountPage, Alarm, AlarmPage, Me, Message, MessagePage, StockLevel};
use super::problem::Problem;
use crate::AppState;

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// Part of the name or number, any case.
    pub search: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200; 50 when not given.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// Who is calling.
#[utoipa::path(get, path = "/api/v1/me", tag = "token", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(caller: Caller) -> Json<Me> {
    let caller = caller.0;
    Json(Me {
        token_id: caller.token_id,
        acts_as: caller.actor.email.clone(),
        tenant_id: caller.actor.tenant_id.unwrap_or_default(),
        account_id: caller.actor.account_id,
        scopes: caller
            .scopes
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
    })
}

/// The tenant's enterprise accounts (provider tokens).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "provider", params(Paging),
    security(("bearer" = ["read"])),
    responses((status = 200, body = AccountPage), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn accounts(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<AccountPage>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    let page = accounts::list(
        &state.db,
        actor,
        accounts::AccountQuery {
            search: paging.search.unwrap_or_default(),
            after: paging.cursor.filter(|c| !c.is_empty()),
            limit: paging.limit.unwrap_or(50),
            ..Default::default()
        },
    )
    .await
    .map_err(Problem::from_query)?;
    Ok(Json(AccountPage {
        data: page
            .rows
            .into_iter()
            .map(|a| Account {
                id: a.id,
                name: a.name,
                customer_number: a.customer_number,
                status: a.status,
                parent_name: a.parent_name,
            })
            .collect(),
        next_cursor: page.next,
    }))
}

/// Free and assigned SIMs per product (provider tokens).
#[utoipa::path(get, path = "/api/v1/stock", tag = "provider",
    security(("bearer" = ["read"])),
    responses((status = 200, body = Vec<StockLevel>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn stock(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<StockLevel>>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    Ok(Json(
        orders::stock::levels(&state.db, actor)
            .await?
            .into_iter()
            .map(|l| StockLevel {
                product_id: l.product_id,
                part_number: l.part_number,
                product_name: l.product_name,
                free: l.free,
                assigned: l.assigned,
            })
            .collect(),
    ))
}

/// Filters of the message trace.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessageFilter {
    /// `email` or `cxml`.
    pub channel: Option<String>,
    /// `in` or `out`.
    pub direction: Option<String>,
    /// Only messages not delivered, or refused.
    pub problems_only: Option<bool>,
    /// A PO number, a payloadID, a Message-ID, an address or a domain.
    pub search: Option<String>,
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// Every e-mail and cXML document in or out, newest first (provider tokens).
#[utoipa::path(get, path = "/api/v1/messages", tag = "provider", params(MessageFilter),
    security(("bearer" = ["read"])),
    responses((status = 200, body = MessagePage), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn messages(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<MessageFilter>,
) -> Result<Json<MessagePage>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    let page = trace::list(
        &state.db,
        actor,
        TraceQuery {
            channel: coded(
                filter.channel.as_deref(),
                MessageChannel::parse,
                "channel",
                "email or cxml",
            )?,
            direction: coded(
                filter.direction.as_deref(),
                MessageDirection::parse,
                "direction",
                "in or out",
            )?,
            problems_only: filter.problems_only.unwrap_or(false),
            search: filter.search.unwrap_or_default(),
            after: filter.cursor.filter(|c| !c.is_empty()),
            limit: filter.limit.unwrap_or(50),
        },
    )
    .await
    .map_err(Problem::from_query)?;
    Ok(Json(MessagePage {
        data: page
            .rows
            .into_iter()
            .map(|m| Message {
                key: m.key,
                channel: m.channel.as_str().to_owned(),
                direction: m.direction.as_str().to_owned(),
                at: m.at,
                counterpart: m.counterpart,
                document_type: m.document_type,
                status: m.status.as_str().to_owned(),
                attempts: m.attempts,
                last_error: m.last_error,
                purchase_order_id: m.purchase_order_id,
                reference: m.reference,
            })
            .collect(),
        next_cursor: page.next,
    }))
}

/// The alarms: open and acknowledged first, then the latest resolved (provider tokens).
#[utoipa::path(get, path = "/api/v1/alarms", tag = "provider",
    security(("bearer" = ["read"])),
    responses((status = 200, body = AlarmPage), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn alarms(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AlarmPage>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    let list = alarms::list(&state.db, actor).await?;
    Ok(Json(AlarmPage {
        data: list
            .alarms
            .into_iter()
            .map(|a| Alarm {
                id: a.id,
                kind: a.kind.as_str().to_owned(),
                status: a.status.as_str().to_owned(),
                summary: a.summary,
                message_key: a.message_key,
                occurrences: a.occurrences,
                raised_at: a.raised_at,
                last_seen_at: a.last_seen_at,
            })
            .collect(),
        open: list.open,
    }))
}
