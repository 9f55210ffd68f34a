//! Spine's resolution engine, pure and IO-free: plain values in, plain values out. It owns
//! identifier normalization (email, phone, name, address, social handle, external id), the
//! extraction of phones and emails from free text, the Fellegi-Sunter match model, batch
//! deduplication (blocking, scoring, clustering), the real-time resolution decisions, and the
//! pure core of cross-channel conversation memory.

pub mod blocking;
pub mod cluster;
pub mod conversation;
pub mod dedupe;
pub mod eval;
pub mod extract;
pub mod identifier;
pub mod keys;
pub mod merge;
pub mod model;
pub mod normalize;
pub mod record;
pub mod resolve;
pub mod search;
pub mod sender;
pub mod synth;
