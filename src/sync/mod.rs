//! Sync with the central CRM (contract: `docs/sync-api.md`). Every change is already in the
//! outbox, written in the same transaction as the change, so nothing is lost while the CRM
//! is unreachable or not configured. `contract` is the wire format, `client` the HTTP side,
//! `backoff` the retry timing, `engine` the loop that ties them to the store.
pub mod backoff;
pub mod client;
pub mod contract;
pub mod engine;

pub use client::{CrmClient, SyncError};
pub use engine::{Engine, Link, QUEUE_WARNING_DEPTH, RoundSummary, SyncHandle, SyncStatus};
