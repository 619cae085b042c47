//! Purchase orders over the API: the same services as the browser's pages.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use simdesk_domain::orders::{self, provisioning, PoQuery};
use simdesk_types::{ApiScope, PoAction, PoStatus, ShipmentInput};
use utoipa::IntoParams;

use super::caller::Caller;
use super::extract::{coded, created, ApiJson, ApiPath, ApiQuery};
use super::model::{
    Order, OrderInput, OrderPage, OrderSummary, OrderUpdate, ProvisionInput, ShipInput, Sim,
    StepInput, StepResult,
};
use super::problem::{Kind, Problem};
use crate::AppState;

/// Filters and paging of the order list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrderFilter {
    /// Only orders in this status.
    #[param(example = "submitted")]
    pub status: Option<String>,
    /// Provider tokens: only this account's orders.
    pub account_id: Option<i64>,
    /// Only orders created at least this many days ago.
    pub older_than_days: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200; 50 when not given.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The order form's field names as [`OrderInput`] calls them.
const FIELD_NAMES: [(&str, &str); 3] = [
    ("new_address", "shipping_address"),
    ("save_new_address", "save_shipping_address"),
    ("overrides", "sim_settings"),
];

fn order_problem(error: simdesk_domain::DomainError) -> Problem {
    Problem::from_domain(error).renaming_fields(&FIELD_NAMES)
}

fn status_filter(code: Option<&str>) -> Result<Option<PoStatus>, Problem> {
    let known: Vec<&str> = PoStatus::ALL.iter().map(|s| s.as_str()).collect();
    coded(
        code,
        PoStatus::parse,
        "status",
        &format!("one of {}", known.join(", ")),
    )
}

/// Lists the orders the token may see, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrderFilter),
    security(("bearer" = ["read"])),
    responses((status = 200, body = OrderPage), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<OrderFilter>,
) -> Result<Json<OrderPage>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    let page = orders::list(
        &state.db,
        actor,
        PoQuery {
            statuses: status_filter(filter.status.as_deref())?
                .into_iter()
                .collect(),
            account_id: filter.account_id,
            older_than_days: filter.older_than_days,
            after: filter.cursor.filter(|c| !c.is_empty()),
            limit: filter.limit.unwrap_or(50),
        },
    )
    .await
    .map_err(Problem::from_query)?;
    Ok(Json(OrderPage {
        data: page.rows.iter().map(OrderSummary::from).collect(),
        next_cursor: page.next,
        counts_by_status: page
            .counts
            .iter()
            .map(|c| (c.status.as_str().to_owned(), c.count))
            .collect(),
    }))
}

/// Reads one order.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = i64, Path, description = "The order's id")),
    security(("bearer" = ["read"])),
    responses((status = 200, body = Order), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Order>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    Ok(Json(orders::detail(&state.db, actor, id).await?.into()))
}

/// Raises a draft order. Send an `Idempotency-Key` so that a retry raises it once.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body get the first answer")),
    security(("bearer" = ["orders:write"])),
    responses((status = 201, body = Order, headers(("Location" = String, description = "The new order"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<Response, Problem> {
    let actor = caller.with(ApiScope::OrdersWrite)?;
    let id = orders::create_draft(&state.db, actor, input.into())
        .await
        .map_err(order_problem)?;
    let order: Order = orders::detail(&state.db, actor, id).await?.into();
    Ok(created(format!("/api/v1/orders/{id}"), Json(order)))
}

/// Replaces a draft: lines, address, date, comment and SIM settings.
#[utoipa::path(put, path = "/api/v1/orders/{id}", tag = "orders", request_body = OrderUpdate,
    params(("id" = i64, Path, description = "The order's id")),
    security(("bearer" = ["orders:write"])),
    responses((status = 200, body = Order), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(update): ApiJson<OrderUpdate>,
) -> Result<Json<Order>, Problem> {
    let actor = caller.with(ApiScope::OrdersWrite)?;
    orders::update_draft(&state.db, actor, id, update.version, update.order.into())
        .await
        .map_err(order_problem)?;
    Ok(Json(orders::detail(&state.db, actor, id).await?.into()))
}

/// The steps `POST /orders/{id}/{action}` takes.
const STEPS: [PoAction; 8] = [
    PoAction::Submit,
    PoAction::Approve,
    PoAction::Decline,
    PoAction::Accept,
    PoAction::Reject,
    PoAction::Reopen,
    PoAction::Cancel,
    PoAction::ConfirmReceipt,
];

/// Takes a step: `submit`, `approve`, `decline`, `accept`, `reject`, `reopen`, `cancel` or
/// `confirm_receipt`. Who may take which step, from which status, is the browser's rule.
#[utoipa::path(post, path = "/api/v1/orders/{id}/{action}", tag = "orders", request_body = StepInput,
    params(("id" = i64, Path, description = "The order's id"),
        ("action" = String, Path, description = "submit, approve, decline, accept, reject, reopen, cancel or confirm_receipt"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = ["orders:write"])),
    responses((status = 200, body = StepResult), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    ApiJson(input): ApiJson<StepInput>,
) -> Result<Json<StepResult>, Problem> {
    let actor = caller.with(ApiScope::OrdersWrite)?;
    let action = PoAction::parse(&action)
        .filter(|a| STEPS.contains(a))
        .ok_or_else(|| {
            let known: Vec<&str> = STEPS.iter().map(|s| s.as_str()).collect();
            Problem::new(
                Kind::NotFound,
                format!(
                    "There is no step `{action}`: use one of {}.",
                    known.join(", ")
                ),
            )
        })?;
    let status = orders::act(
        &state.db,
        actor,
        id,
        input.version,
        action,
        input.reason.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(StepResult::new(id, status)))
}

/// Assigns SIMs to an accepted order (provider tokens): the order is `ready` once every line
/// has all its SIMs, `provisioning` while some are missing.
#[utoipa::path(post, path = "/api/v1/orders/{id}/provision", tag = "orders", request_body = ProvisionInput,
    params(("id" = i64, Path, description = "The order's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = ["orders:write"])),
    responses((status = 200, body = StepResult), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn provision(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ProvisionInput>,
) -> Result<Json<StepResult>, Problem> {
    let actor = caller.with(ApiScope::OrdersWrite)?;
    let identifiers = input.sims.map(|sims| sims.join("\n"));
    let source = match identifiers.as_deref() {
        Some(listed) => provisioning::Source::Identifiers(listed),
        None => provisioning::Source::Stock,
    };
    let status = provisioning::provision(&state.db, actor, id, input.version, source)
        .await
        .map_err(|e| Problem::from_domain(e).renaming_fields(&[("identifiers", "sims")]))?;
    Ok(Json(StepResult::new(id, status)))
}

/// Ships a ready order's SIMs (provider tokens).
#[utoipa::path(post, path = "/api/v1/orders/{id}/ship", tag = "orders", request_body = ShipInput,
    params(("id" = i64, Path, description = "The order's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = ["orders:write"])),
    responses((status = 200, body = StepResult), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn ship(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ShipInput>,
) -> Result<Json<StepResult>, Problem> {
    let actor = caller.with(ApiScope::OrdersWrite)?;
    let status = orders::ship(
        &state.db,
        actor,
        id,
        input.version,
        ShipmentInput {
            carrier: input.carrier,
            tracking_number: input.tracking_number,
            shipped_on: input.shipped_on,
        },
    )
    .await?;
    Ok(Json(StepResult::new(id, status)))
}

/// The SIMs of an order: for the account from `ready` on, for the provider always.
#[utoipa::path(get, path = "/api/v1/orders/{id}/sims", tag = "orders",
    params(("id" = i64, Path, description = "The order's id")),
    security(("bearer" = ["read"])),
    responses((status = 200, body = Vec<Sim>), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn sims(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Sim>>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    Ok(Json(
        orders::sims(&state.db, actor, id)
            .await?
            .into_iter()
            .map(Sim::from)
            .collect(),
    ))
}
