//! RFC 9457 problem details: the one error shape of the JSON API. Internal causes are logged,
//! never sent.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use spine_core::ServiceError;

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "Not Found", detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "Unauthorized", detail)
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type",
            detail,
        )
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large", detail)
    }

    /// 422 for input that parsed but is not acceptable, naming the field when there is one.
    pub fn invalid(field: Option<String>, detail: impl Into<String>) -> Problem {
        let detail = detail.into();
        Problem {
            detail: match &field {
                Some(f) => format!("{f}: {detail}"),
                None => detail,
            },
            field,
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid input", "")
        }
    }
}

impl From<ServiceError> for Problem {
    fn from(err: ServiceError) -> Problem {
        match err {
            ServiceError::NotFound(what) => Problem::not_found(format!("{what} not found")),
            ServiceError::Invalid { field, message } => Problem {
                field: Some(field.clone()),
                ..Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Invalid input",
                    format!("{field}: {message}"),
                )
            },
            ServiceError::Conflict(detail) => {
                Problem::new(StatusCode::CONFLICT, "Conflict", detail)
            }
            ServiceError::Forbidden => Problem::new(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "not allowed for this credential",
            ),
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "request failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Server Error",
                    "something went wrong on our side",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            Json(self),
        )
            .into_response()
    }
}
