//! RFC 9457 problem details: the one error shape of the JSON API. Internal causes are logged,
//! never sent.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use spine_core::ServiceError;

/// An RFC 9457 problem detail, sent as `application/problem+json`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"type": "about:blank", "title": "Invalid input", "status": 422,
    "detail": "identifiers.phone: not a phone number", "field": "identifiers.phone"}))]
pub struct Problem {
    /// Always `about:blank`: the status and title say what went wrong.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    /// The HTTP status code, repeated.
    pub status: u16,
    /// What to fix, for a person to read. Internal causes are never sent.
    pub detail: String,
    /// The input at fault (`identifiers.phone`, `events[3].channel`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// The request's id, as in the `X-Request-Id` response header and the server's log.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request_id: Option<String>,
}

impl Problem {
    fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            request_id: None,
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "Not Found", detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "Unauthorized", detail)
    }

    /// 400 for a body that cannot be read at all (not JSON, not a form).
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "Bad Request", detail)
    }

    pub fn too_many_requests(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests", detail)
    }

    /// 421: the request named a host this server does not answer for.
    pub fn misdirected(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::MISDIRECTED_REQUEST,
            "Misdirected Request",
            detail,
        )
    }

    pub fn unavailable(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service Unavailable",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "Forbidden", detail)
    }

    pub fn method_not_allowed(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed", detail)
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
            ServiceError::Gone(detail) => Problem::new(StatusCode::GONE, "Gone", detail),
            ServiceError::RateLimited { detail, .. } => {
                Problem::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests", detail)
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

/// The problem responses the API documents, one per status, so each operation lists the ones it
/// can answer with: `(status = 404, response = NotFound)`.
#[expect(
    dead_code,
    reason = "never built: only their OpenAPI descriptions are used"
)]
pub mod responses {
    use utoipa::ToResponse;

    use super::Problem;

    /// No API key, or an unknown or revoked one.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Unauthorized(Problem);

    /// The API key's scope or the caller's role does not allow this (verifying an address, and
    /// undoing a verification, are for admins in the console only).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Forbidden(Problem);

    /// No such customer, review item or merge in this tenant (or an id that is not a UUID).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct NotFound(Problem);

    /// The request conflicts with the current state: the review item was already decided, the
    /// merge already undone, or the same event is being ingested concurrently (retry).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Conflict(Problem);

    /// The body is larger than the server accepts (2 MiB).
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct PayloadTooLarge(Problem);

    /// The body is not `application/json`.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct UnsupportedMediaType(Problem);

    /// Malformed JSON, a wrong or missing field, or a value that is not acceptable; `field`
    /// names the input at fault. Nothing was written.
    #[derive(ToResponse)]
    #[response(content_type = "application/problem+json")]
    pub struct Invalid(Problem);
}
