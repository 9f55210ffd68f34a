//! The console's one error type for server functions: what the person at the browser reads.
//! Internal details are logged on the server and never cross the wire.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ConsoleError {
    /// No session, or it expired.
    #[error("Your session has ended. Please sign in again.")]
    SignedOut,
    /// Unknown email, wrong password and disabled account all read the same.
    #[error("That email and password do not match an active account.")]
    BadCredentials,
    #[error("You are not allowed to do that.")]
    Forbidden,
    /// A missing or wrong CSRF token, or a request from another site.
    #[error("This page is out of date. Reload it and try again.")]
    StaleForm,
    /// Input the person can fix; the message says how.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// Too many failed attempts from this account or this address for now.
    #[error("Too many attempts. Please wait {} minutes and try again.", retry_after_secs.div_ceil(60))]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The call never reached the server function (network, encoding).
    #[error("Spine could not be reached. Check your connection and try again.")]
    Unreachable(String),
}

impl ConsoleError {
    /// The status an API-style caller sees (a plain HTML form is redirected back instead).
    pub fn status(&self) -> u16 {
        match self {
            ConsoleError::SignedOut | ConsoleError::BadCredentials => 401,
            ConsoleError::Forbidden | ConsoleError::StaleForm => 403,
            ConsoleError::Invalid(_) => 422,
            ConsoleError::NotFound(_) => 404,
            ConsoleError::TooManyAttempts { .. } => 429,
            ConsoleError::Internal => 500,
            ConsoleError::Unreachable(_) => 400,
        }
    }
}

impl FromServerFnError for ConsoleError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ConsoleError::Unreachable(value.to_string())
    }
}
