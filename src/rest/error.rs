//! The refusals and failures of the REST routes as a type: each is a status with the empty
//! body the Go services answer with, and a server-side failure is logged with its cause
//! once, where it is turned into a response.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// Why a route did not answer with its document.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing or malformed tenant headers, path ids or request document (400).
    #[error("bad request")]
    BadRequest,
    /// No such resource (404).
    #[error("not found")]
    NotFound,
    /// The resource exists in a state that refuses the request (409).
    #[error("conflict")]
    Conflict,
    /// What the route needed failed (500); `what` names the route family for the log.
    #[error("{what} request failed: {cause}")]
    Internal { what: &'static str, cause: Box<dyn std::error::Error + Send + Sync> },
    /// The broker refused a command the route publishes (500).
    #[error("publishing a command on {topic} failed: {cause}")]
    Publish { topic: &'static str, cause: rdkafka::error::KafkaError },
}

impl ApiError {
    /// A server-side failure of a `what` request.
    pub fn internal<E: Into<Box<dyn std::error::Error + Send + Sync>>>(what: &'static str) -> impl FnOnce(E) -> ApiError {
        move |cause| ApiError::Internal { what, cause: cause.into() }
    }
}

/// A failure that is not an error value (e.g. an unanswered reply port), for
/// [`ApiError::Internal`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unanswered(pub &'static str);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict => StatusCode::CONFLICT,
            ApiError::Internal { .. } | ApiError::Publish { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if matches!(self, ApiError::Internal { .. } | ApiError::Publish { .. }) {
            tracing::error!(error = %self, "request failed");
        }
        HttpResponse::build(self.status_code()).finish()
    }
}

/// A route's outcome.
pub type ApiResult = Result<HttpResponse, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody as _;

    #[test]
    fn each_error_answers_its_status_with_an_empty_body() {
        let failed: Box<dyn std::error::Error + Send + Sync> = Box::new(Unanswered("no answer"));
        let cases = [
            (ApiError::BadRequest, 400),
            (ApiError::NotFound, 404),
            (ApiError::Conflict, 409),
            (ApiError::internal("skills")(failed), 500),
        ];
        for (error, status) in cases {
            let response = error.error_response();
            assert_eq!(response.status().as_u16(), status, "{error}");
            assert_eq!(response.into_body().try_into_bytes().map(|b| b.len()).unwrap_or(usize::MAX), 0, "{error}: empty body");
        }
    }
}
