//! The API's extractors: a JSON body, query and path parameters, each refused as
//! problem+json with the status that fits (see [`Kind`]); and the answer to a POST that
//! created something.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use super::problem::{Kind, Problem};

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

/// A coded query parameter (`status=submitted`), refused as a malformed request (400) that
/// names the codes it takes (`known`, for example "in or out").
pub fn coded<T>(
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    field: &str,
    known: &str,
) -> Result<Option<T>, Problem> {
    value
        .map(|code| {
            parse(code).ok_or_else(|| {
                Problem::new(
                    Kind::MalformedRequest,
                    format!("Unknown {field} `{code}`: use {known}."),
                )
            })
        })
        .transpose()
}

/// `201 Created` with the new object and where it lives.
pub fn created<T: serde::Serialize>(location: String, body: Json<T>) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], body).into_response()
}
