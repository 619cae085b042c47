//! The public REST API under `/api/v1`: JSON, bearer tokens with scopes, `Idempotency-Key` on
//! POSTs, rate limits per token, errors as problem+json, and its OpenAPI document, generated
//! from these handlers, at `/api/v1/openapi.json` with a reference page at `/api/v1/docs`.
//! Handlers stay thin: each checks its scope and calls the service the browser's pages call.

pub mod call_log;
pub mod caller;
pub mod catalog;
pub mod docs;
pub mod extract;
pub mod idempotent;
pub mod model;
pub mod orders;
pub mod problem;
pub mod resources;

use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;
use problem::{Kind, Problem};

async fn method_not_allowed() -> Problem {
    Problem::new(
        Kind::MethodNotAllowed,
        "This route does not take this method; the reference at /api/v1/docs lists each route's methods.",
    )
}

async fn unknown_route() -> Problem {
    Problem::new(
        Kind::NotFound,
        "There is no such API route; the routes are listed at /api/v1/docs.",
    )
}

/// The API's routes, to be nested at `/api/v1`.
pub fn router(state: AppState) -> Router<AppState> {
    let called = Router::new()
        .route("/me", get(resources::me))
        .route(
            "/products",
            get(catalog::products).post(catalog::create_product),
        )
        .route(
            "/products/{id}",
            get(catalog::product).put(catalog::update_product),
        )
        .route("/products/{id}/retire", post(catalog::retire_product))
        .route(
            "/products/{id}/reactivate",
            post(catalog::reactivate_product),
        )
        .route(
            "/options",
            get(catalog::options).post(catalog::create_option),
        )
        .route("/options/{id}", get(catalog::option))
        .route("/options/{id}/retire", post(catalog::retire_option))
        .route("/options/{id}/reactivate", post(catalog::reactivate_option))
        .route("/accounts", get(resources::accounts))
        .route("/stock", get(resources::stock))
        .route("/messages", get(resources::messages))
        .route("/alarms", get(resources::alarms))
        .route("/orders", get(orders::list).post(orders::create))
        .route("/orders/{id}", get(orders::read).put(orders::update))
        .route("/orders/{id}/sims", get(orders::sims))
        .route("/orders/{id}/provision", post(orders::provision))
        .route("/orders/{id}/ship", post(orders::ship))
        .route("/orders/{id}/{action}", post(orders::step))
        .layer(axum::extract::DefaultBodyLimit::max(idempotent::MAX_BODY))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            idempotent::keyed,
        ))
        .route_layer(middleware::from_fn_with_state(state, caller::authenticate));
    Router::new()
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::reference))
        .merge(called)
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
}
