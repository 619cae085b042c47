//! The catalog over the API: products and entitlement options to read, and for tenant tokens
//! with `catalog:write` the product editor's changes. The same services as the catalog pages.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use simdesk_domain::catalog::ProductQuery;
use simdesk_domain::{accounts, catalog, orders, policy, tenants, DomainError};
use simdesk_types::{ApiScope, OptionKind, Permission, ProductStatus};
use utoipa::IntoParams;

use super::caller::Caller;
use super::extract::{coded, created, ApiJson, ApiPath, ApiQuery};
use super::model::{
    EntitlementOption, OptionInput, OptionList, Product, ProductInput, ProductPage, VersionInput,
    PRODUCT_FIELD_NAMES,
};
use super::problem::Problem;
use super::resources::Paging;
use crate::AppState;

fn product_problem(error: DomainError) -> Problem {
    Problem::from_domain(error).renaming_fields(&PRODUCT_FIELD_NAMES)
}

fn version_problem(message: &str) -> Problem {
    Problem::from_domain(DomainError::invalid("version", message))
}

/// Whether the token sees the tenant's catalog rather than an account's products.
fn sees_tenant_catalog(actor: &simdesk_domain::Actor) -> bool {
    policy::allows(actor, Permission::ReadCatalog)
}

/// The products: an account's token sees what its account may order at its contract prices
/// (one page); a tenant's token the catalog at list prices, page by page.
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", params(Paging),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ProductPage), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn products(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ProductPage>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    if sees_tenant_catalog(actor) {
        let page = catalog::products(
            &state.db,
            actor,
            ProductQuery {
                search: paging.search.unwrap_or_default(),
                after: paging.cursor.filter(|c| !c.is_empty()),
                limit: paging.limit.unwrap_or(50),
                ..Default::default()
            },
        )
        .await
        .map_err(Problem::from_query)?;
        return Ok(Json(ProductPage {
            data: page.rows.into_iter().map(Product::from).collect(),
            next_cursor: page.next,
        }));
    }
    let own = accounts::catalog(&state.db, actor).await?;
    let search = paging.search.unwrap_or_default().to_lowercase();
    Ok(Json(ProductPage {
        data: own
            .entries
            .into_iter()
            .filter(|e| {
                search.is_empty()
                    || e.name.to_lowercase().contains(&search)
                    || e.part_number.to_lowercase().contains(&search)
            })
            .map(Product::from)
            .collect(),
        next_cursor: None,
    }))
}

/// Reads one product: of the tenant's catalog, or one the account may order.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "The product's id")),
    security(("bearer" = ["read"])),
    responses((status = 200, body = Product), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn product(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Product>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    if sees_tenant_catalog(actor) {
        return Ok(Json(catalog::product(&state.db, actor, id).await?.into()));
    }
    accounts::catalog(&state.db, actor)
        .await?
        .entries
        .into_iter()
        .find(|entry| entry.product_id == id)
        .map(|entry| Json(Product::from(entry)))
        .ok_or_else(|| Problem::from_domain(DomainError::NotFound))
}

/// Adds a product to the tenant's catalog. Send an `Idempotency-Key` so that a retry adds it
/// once.
#[utoipa::path(post, path = "/api/v1/products", tag = "catalog", request_body = ProductInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body get the first answer")),
    security(("bearer" = ["catalog:write"])),
    responses((status = 201, body = Product, headers(("Location" = String, description = "The new product"))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_product(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<Response, Problem> {
    let actor = caller.with(ApiScope::CatalogWrite)?;
    if input.version.is_some() {
        return Err(version_problem(
            "A new product has no `version` yet: leave it out.",
        ));
    }
    let product = catalog::create_product(&state.db, actor, input.into())
        .await
        .map_err(product_problem)?;
    Ok(created(
        format!("/api/v1/products/{}", product.id),
        Json(Product::from(product)),
    ))
}

/// Replaces a product's fields; accounts keep their contract prices.
#[utoipa::path(put, path = "/api/v1/products/{id}", tag = "catalog", request_body = ProductInput,
    params(("id" = i64, Path, description = "The product's id")),
    security(("bearer" = ["catalog:write"])),
    responses((status = 200, body = Product), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_product(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<Json<Product>, Problem> {
    let actor = caller.with(ApiScope::CatalogWrite)?;
    let Some(version) = input.version else {
        return Err(version_problem(
            "Send the `version` of the product the change is based on.",
        ));
    };
    let updated = catalog::update_product(&state.db, actor, id, version, input.into())
        .await
        .map_err(product_problem)?;
    Ok(Json(updated.into()))
}

/// Retires a product: accounts can no longer order it; its orders and SIMs stay as they are.
#[utoipa::path(post, path = "/api/v1/products/{id}/retire", tag = "catalog", request_body = VersionInput,
    params(("id" = i64, Path, description = "The product's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = ["catalog:write"])),
    responses((status = 200, body = Product), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn retire_product(
    state: State<AppState>,
    caller: Caller,
    id: ApiPath<i64>,
    input: ApiJson<VersionInput>,
) -> Result<Json<Product>, Problem> {
    set_status(state, caller, id, input, ProductStatus::Retired).await
}

/// Offers a retired product again.
#[utoipa::path(post, path = "/api/v1/products/{id}/reactivate", tag = "catalog", request_body = VersionInput,
    params(("id" = i64, Path, description = "The product's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = ["catalog:write"])),
    responses((status = 200, body = Product), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn reactivate_product(
    state: State<AppState>,
    caller: Caller,
    id: ApiPath<i64>,
    input: ApiJson<VersionInput>,
) -> Result<Json<Product>, Problem> {
    set_status(state, caller, id, input, ProductStatus::Active).await
}

async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<VersionInput>,
    status: ProductStatus,
) -> Result<Json<Product>, Problem> {
    let actor = caller.with(ApiScope::CatalogWrite)?;
    let changed = catalog::set_product_status(&state.db, actor, id, input.version, status)
        .await
        .map_err(product_problem)?;
    Ok(Json(changed.into()))
}

/// Which options to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OptionFilter {
    /// Only options of this kind: `billing_status`, `price_plan`, `service_profile`,
    /// `roaming_profile` or `apn_group`.
    pub kind: Option<String>,
}

/// The entitlement options: a tenant's token sees all of the tenant's, active or retired; an
/// account's token the active ones its orders may choose as `sim_settings`.
#[utoipa::path(get, path = "/api/v1/options", tag = "catalog", params(OptionFilter),
    security(("bearer" = ["read"])),
    responses((status = 200, body = OptionList), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn options(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<OptionFilter>,
) -> Result<Json<OptionList>, Problem> {
    let actor = caller.with(ApiScope::Read)?;
    let known: Vec<&str> = OptionKind::ALL.iter().map(|k| k.as_str()).collect();
    let kind = coded(
        filter.kind.as_deref(),
        OptionKind::parse,
        "kind",
        &format!("one of {}", known.join(", ")),
    )?;
    let (options, overrides_allowed) = if sees_tenant_catalog(actor) {
        let settings = tenants::settings(&state.db, actor).await?;
        let options = catalog::options(&state.db, actor, kind).await?;
        (options, settings.allow_default_overrides)
    } else {
        let choices = orders::form_data(&state.db, actor, None, None)
            .await?
            .sim_settings;
        let options = choices
            .override_options
            .into_iter()
            .filter(|o| kind.is_none_or(|kind| o.kind == kind))
            .collect();
        (options, choices.overrides_allowed)
    };
    Ok(Json(OptionList {
        data: options.into_iter().map(EntitlementOption::from).collect(),
        overrides_allowed,
    }))
}

/// Reads one entitlement option: any of the tenant's, or for an account's token one its
/// orders may choose.
#[utoipa::path(get, path = "/api/v1/options/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "The option's id")),
    security(("bearer" = ["read"])),
    responses((status = 200, body = EntitlementOption), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn option(
    state: State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EntitlementOption>, Problem> {
    let Json(list) = options(state, caller, ApiQuery(OptionFilter { kind: None })).await?;
    list.data
        .into_iter()
        .find(|option| option.id == id)
        .map(Json)
        .ok_or_else(|| Problem::from_domain(DomainError::NotFound))
}

/// Adds an entitlement option to the tenant's catalog.
#[utoipa::path(post, path = "/api/v1/options", tag = "catalog", request_body = OptionInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body get the first answer")),
    security(("bearer" = ["catalog:write"])),
    responses((status = 201, body = EntitlementOption, headers(("Location" = String, description = "The new option"))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_option(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OptionInput>,
) -> Result<Response, Problem> {
    let actor = caller.with(ApiScope::CatalogWrite)?;
    let option = catalog::create_option(
        &state.db,
        actor,
        &input.kind,
        &input.code,
        &input.name,
        &input.description,
    )
    .await?;
    Ok(created(
        format!("/api/v1/options/{}", option.id),
        Json(EntitlementOption::from(option)),
    ))
}

/// Retires an option: it can no longer be chosen; the records that chose it keep it.
#[utoipa::path(post, path = "/api/v1/options/{id}/retire", tag = "catalog",
    params(("id" = i64, Path, description = "The option's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = ["catalog:write"])),
    responses((status = 200, body = EntitlementOption), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn retire_option(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EntitlementOption>, Problem> {
    let actor = caller.with(ApiScope::CatalogWrite)?;
    Ok(Json(
        catalog::set_option_active(&state.db, actor, id, false)
            .await?
            .into(),
    ))
}

/// Lets a retired option be chosen again.
#[utoipa::path(post, path = "/api/v1/options/{id}/reactivate", tag = "catalog",
    params(("id" = i64, Path, description = "The option's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = ["catalog:write"])),
    responses((status = 200, body = EntitlementOption), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn reactivate_option(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EntitlementOption>, Problem> {
    let actor = caller.with(ApiScope::CatalogWrite)?;
    Ok(Json(
        catalog::set_option_active(&state.db, actor, id, true)
            .await?
            .into(),
    ))
}
