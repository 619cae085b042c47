//! The public REST API under `/api/v1`: JSON, bearer tokens with scopes, `Idempotency-Key` on
//! POSTs, rate limits per token, errors as problem+json, and its OpenAPI document, generated
//! from these handlers, at `/api/v1/openapi.json` with a reference page at `/api/v1/docs`.
//! Handlers stay thin: each checks its scope and calls the service the browser's pages call.

pub mod caller;
pub mod docs;
pub mod idempotent;
pub mod model;
pub mod orders;
pub mod problem;
pub mod resources;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::AppState;
use problem::{Kind, Problem};

/// A JSON body, refused as problem+json: 415 without the JSON content type, 400 for JSON that
/// does not parse, 422 for JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => Problem::new(
                    Kind::UnsupportedMediaType,
                    "Send the body with `Content-Type: application/json`.",
                ),
                JsonRejection::JsonDataError(error) => {
                    Problem::new(Kind::InvalidInput, error.body_text())
                }
                other => Problem::new(Kind::MalformedRequest, other.body_text()),
            }),
        }
    }
}

/// Query parameters, refused as problem+json (400).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection: QueryRejection| {
                Problem::new(Kind::MalformedRequest, rejection.body_text())
            })
    }
}

/// Path parameters, refused as problem+json (400).
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|rejection: PathRejection| {
                Problem::new(Kind::MalformedRequest, rejection.body_text())
            })
    }
}

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
        .route("/products", get(resources::products))
        .route("/accounts", get(resources::accounts))
        .route("/stock", get(resources::stock))
        .route("/messages", get(resources::messages))
        .route("/alarms", get(resources::alarms))
        .route("/orders", get(orders::list).post(orders::create))
        .route("/orders/{id}", get(orders::read).put(orders::update))
        .route("/orders/{id}/sims", get(orders::sims))
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
