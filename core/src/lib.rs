//! Spine's domain. `types` is the vocabulary shared with the browser; with the `backend` feature
//! this crate also owns the store (the only code that speaks SQL) and the services, where every
//! use case is written once for the API, the webhooks, the CLI and the console's server functions.

pub mod access;
pub mod analytics;
pub mod lists;
pub mod types;

#[cfg(feature = "backend")]
pub mod demo;
#[cfg(feature = "backend")]
pub mod exports;
#[cfg(feature = "backend")]
pub mod providers;
#[cfg(feature = "backend")]
pub mod services;
#[cfg(feature = "backend")]
pub mod store;

#[cfg(feature = "backend")]
pub use services::{Actor, ServiceError, Tenant};
#[cfg(feature = "backend")]
pub use store::{Backend, Store, StoreError};
