//! Identifiers found in free text (chat messages, email bodies, order notes): phone numbers
//! and email addresses, normalized, deduplicated, in order of appearance.

mod emails;
mod phones;

pub use emails::extract_emails;
pub use phones::extract_phones;
