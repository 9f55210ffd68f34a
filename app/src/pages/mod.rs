//! One module per route.

pub mod customer;
pub mod customers;
pub mod login;
pub mod not_found;
