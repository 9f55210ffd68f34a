//! One module per route.

pub mod customer;
pub mod customers;
pub mod login;
pub mod not_found;
// Review, merges and the admin pages.
pub mod audit;
pub mod merge;
pub mod review;
pub mod settings;
pub mod thread;
// Analytics (managers and admins).
pub mod analytics;
// The customer's own page.
pub mod me;
pub mod outbox;
