//! Spine's resolution engine, pure and IO-free: plain values in, plain values out. It owns
//! identifier normalization (email, phone, name, address, social handle, external id), the
//! extraction of phones and emails from free text, and the resolution decisions built on them.

pub mod extract;
pub mod identifier;
pub mod normalize;
pub mod record;
pub mod resolve;
