//! Sync with the central CRM. Every sign-up and consent is already in the outbox, written in
//! the same transaction as the change, so nothing is lost while the CRM is unreachable or
//! not configured. This release has no CRM client yet: the queue monitor below reports the
//! outbox depth so staff and the log can see what is waiting.
use std::time::Duration;

use crate::store::StoreHandle;

/// Above this many undelivered events the monitor warns on every check.
pub const QUEUE_WARNING_DEPTH: u64 = 10_000;

/// Logs the outbox depth now and then every `interval`, on the tokio runtime.
pub fn spawn_queue_monitor(
    runtime: &tokio::runtime::Handle,
    store: StoreHandle,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    runtime.spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        let mut last = None;
        loop {
            ticker.tick().await;
            let Ok(depth) = store.submit(|s| s.outbox_depth()).await else {
                return; // the store has shut down
            };
            match depth {
                Ok(depth) if depth >= QUEUE_WARNING_DEPTH => {
                    tracing::warn!(
                        depth,
                        "no CRM configured: outbox is large; events are kept until a CRM is set up"
                    );
                }
                Ok(depth) if last != Some(depth) => {
                    tracing::info!(depth, "no CRM configured: events queued in the outbox");
                    last = Some(depth);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("cannot read the outbox depth: {e}"),
            }
        }
    })
}
