//! Identifiers found in free text (chat messages, email bodies, order notes): phone numbers
//! and email addresses, normalized, deduplicated, in order of appearance.

mod emails;
mod phones;

pub use emails::{emails_in, extract_emails};
pub use phones::{extract_phones, phones_in_text};
