//! The sync loop, on tokio: heartbeat, push the outbox in batches, pull changes by cursor,
//! then wait (the pull interval, a wake-up after a new sign-up, or the back-off after a
//! failure). It only ever talks to the store through its thread, so the UI never waits on
//! the network, and it resumes after a restart from the durable outbox and cursor. Its
//! state is published on a `watch` channel for staff mode.
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

use super::backoff::Backoff;
use super::client::{CrmClient, SyncError};
use super::contract::{HeartbeatRequest, SigningKeyInfo, WireEvent};
use crate::config::CrmConfig;
use crate::domain::crm::{CrmChange, DeliverySummary};
use crate::domain::signing::hex;
use crate::store::{StoreError, StoreHandle};

/// Above this many queued events staff mode and the log warn.
pub const QUEUE_WARNING_DEPTH: u64 = 10_000;
/// Changes asked for per page.
const PULL_PAGE: u32 = 500;
/// Pages pulled in one round at most, so a CRM whose cursor never advances cannot trap the
/// loop; the rest comes next round.
const MAX_PAGES_PER_ROUND: u32 = 200;
/// A kiosk clock further off than this from the CRM's is logged.
const CLOCK_SKEW_WARNING: Duration = Duration::from_secs(300);
/// How often staff mode's queue depth is refreshed during a drain.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(500);
/// How often the queue is re-counted when no CRM is configured.
const UNCONFIGURED_CHECK: Duration = Duration::from_secs(300);
/// The shortest time between two queue counts without a CRM.
const UNCONFIGURED_MIN_GAP: Duration = Duration::from_secs(1);

/// The link to the CRM as staff should understand it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Link {
    /// No `[crm]` in the configuration: events are kept.
    #[default]
    NotConfigured,
    /// Configured, first round not finished.
    Connecting,
    Online,
    /// Nothing reached the CRM (network down, refused, timed out).
    Offline,
    /// The CRM answered with errors.
    Failing,
    /// The CRM refused the kiosk's token.
    Unauthorized,
}

/// Everything staff mode shows about sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub link: Link,
    pub last_error: Option<String>,
    pub last_sync_at: Option<String>,
    pub queue_depth: u64,
    pub rejected_count: u64,
    /// "kind: reason" of the newest rejected event.
    pub latest_rejection: Option<String>,
    /// Goes up each time a pull stored new settings from the CRM, so the running kiosk
    /// knows to take them.
    pub settings_version: u64,
    /// A damaged database was set aside at a start: its file name.
    pub quarantined: Option<String>,
}

impl SyncStatus {
    pub fn queue_warning(&self) -> bool {
        self.queue_depth >= QUEUE_WARNING_DEPTH
    }
}

/// What one round moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundSummary {
    pub delivered: u64,
    pub rejected: u64,
    pub adopted: u64,
    pub changes_applied: u64,
    pub changes_skipped: u64,
}

/// The running sync task.
pub struct SyncHandle {
    status: watch::Receiver<SyncStatus>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SyncHandle {
    /// Starts syncing on `runtime`; with `config` `None` it only keeps the queue depth
    /// current (and warns when it grows large).
    pub fn start(
        runtime: &tokio::runtime::Handle,
        store: StoreHandle,
        config: Option<&CrmConfig>,
    ) -> SyncHandle {
        let (status_tx, status) = watch::channel(SyncStatus::default());
        let (stop, stop_rx) = watch::channel(false);
        let wake = store.outbox_signal();
        let client = config.map(|c| (CrmClient::new(c), c.clone()));
        let worker_wake = wake.clone();
        let task = runtime.spawn(async move {
            match client {
                None => monitor_unconfigured(store, status_tx, worker_wake, stop_rx).await,
                Some((Err(e), _)) => {
                    tracing::error!("sync disabled: {e}");
                    status_tx.send_modify(|s| {
                        s.link = Link::Failing;
                        s.last_error = Some(e.to_string());
                    });
                    monitor_unconfigured(store, status_tx, worker_wake, stop_rx).await;
                }
                Some((Ok(client), config)) => {
                    Engine::new(client, &config, store, status_tx)
                        .run(worker_wake, stop_rx)
                        .await
                }
            }
        });
        SyncHandle { status, stop, task }
    }

    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Stops after the request in flight; whatever was recorded stays recorded.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if self.task.await.is_err() {
            tracing::error!("sync task panicked");
        }
        tracing::info!("sync stopped");
    }
}

/// The push/pull machinery, also used once-off by `member-kiosk sync`.
pub struct Engine {
    client: CrmClient,
    store: StoreHandle,
    status: watch::Sender<SyncStatus>,
    batch_size: usize,
    pull_interval: Duration,
    heartbeat_interval: Duration,
    last_heartbeat: Option<Instant>,
    last_progress: Option<Instant>,
    backoff: Backoff,
}

impl Engine {
    pub fn new(
        client: CrmClient,
        config: &CrmConfig,
        store: StoreHandle,
        status: watch::Sender<SyncStatus>,
    ) -> Engine {
        status.send_modify(|s| s.link = Link::Connecting);
        Engine {
            client,
            store,
            status,
            batch_size: config.batch_size as usize,
            pull_interval: Duration::from_secs(config.pull_secs),
            heartbeat_interval: Duration::from_secs(config.heartbeat_secs),
            last_heartbeat: None,
            last_progress: None,
            backoff: Backoff::new(
                Duration::from_secs(1),
                Duration::from_secs(config.max_backoff_secs),
            ),
        }
    }

    async fn run(mut self, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        loop {
            // Stopping cancels the round at its current await. That is safe: a store job
            // already handed over still completes in full on the storage thread.
            let result = tokio::select! {
                result = self.round() => result,
                _ = stop.changed() => return,
            };
            let wait = match result {
                Ok(summary) => {
                    if summary != RoundSummary::default() {
                        tracing::info!(?summary, "sync round");
                    }
                    self.backoff.reset();
                    self.pull_interval
                }
                Err(e) => {
                    let wait = self.failure_wait(&e);
                    tracing::warn!(
                        "sync failed ({} in a row): {e}; next try in {:.1} s",
                        self.backoff.failures(),
                        wait.as_secs_f64()
                    );
                    wait
                }
            };
            // A new sign-up cuts the wait short only when the CRM is reachable: while backing
            // off it waits its turn.
            let online = self.status.borrow().link == Link::Online;
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = wake.notified(), if online => {}
                _ = stop.changed() => return,
            }
        }
    }

    fn failure_wait(&mut self, e: &SyncError) -> Duration {
        match e {
            SyncError::Unauthorized(_) => {
                self.backoff.next_delay(1.0);
                self.backoff.cap()
            }
            e => {
                let jittered = self.backoff.next_delay(fastrand::f64());
                e.retry_after().unwrap_or(jittered)
            }
        }
    }

    /// One full round: heartbeat when due, push everything queued, pull every change.
    pub async fn round(&mut self) -> Result<RoundSummary, SyncError> {
        let result = self.round_inner().await;
        self.refresh_status(&result).await;
        result
    }

    async fn round_inner(&mut self) -> Result<RoundSummary, SyncError> {
        let mut summary = RoundSummary::default();
        if self
            .last_heartbeat
            .is_none_or(|at| at.elapsed() >= self.heartbeat_interval)
        {
            self.heartbeat().await?;
            self.last_heartbeat = Some(Instant::now());
        }
        let pushed = self.push_all().await?;
        summary.delivered = pushed.delivered;
        summary.rejected = pushed.rejected;
        summary.adopted = pushed.adopted;
        let (applied, skipped) = self.pull_all().await?;
        summary.changes_applied = applied;
        summary.changes_skipped = skipped;
        self.store_call(|s| s.mark_synced()).await?;
        Ok(summary)
    }

    async fn heartbeat(&self) -> Result<(), SyncError> {
        let snapshot = self.store_call(|s| s.sync_snapshot()).await?;
        let signing_key = self
            .store_call(|s| {
                Ok(s.signer().map(|k| SigningKeyInfo {
                    key_id: hex(&k.id()),
                    public_key: hex(k.public().as_bytes()),
                }))
            })
            .await?;
        let request = HeartbeatRequest {
            kiosk_id: self.client.kiosk_id().to_owned(),
            firmware_version: env!("CARGO_PKG_VERSION").to_owned(),
            queue_depth: snapshot.queue_depth,
            rejected_count: snapshot.rejected_count,
            last_sync_at: snapshot.last_sync_at,
            sent_at: crate::store::now_rfc3339(),
            quarantined_database: snapshot.quarantined,
            signing_key,
        };
        let answer = self.client.heartbeat(&request).await?;
        if let Some(key) = answer.phone_hash_key {
            // Kept in a file beside the database; numbers the CRM holds are then reduced.
            if let Err(e) = self.store_call(move |s| s.set_phone_key(&key)).await {
                tracing::warn!("phone hash key not taken: {e}");
            }
        }
        if let Ok(server) = time::OffsetDateTime::parse(
            &answer.server_time,
            &time::format_description::well_known::Rfc3339,
        ) {
            let skew = (time::OffsetDateTime::now_utc() - server).unsigned_abs();
            if skew > CLOCK_SKEW_WARNING {
                tracing::warn!(
                    skew_secs = skew.as_secs(),
                    "this kiosk's clock is off from the CRM's; sync does not depend on it, \
                     but timestamps on sign-ups will be"
                );
            }
        }
        Ok(())
    }

    /// Sends the outbox oldest first. An event is rejected only when the CRM says so for
    /// that event. A 413 halves the batch (it is about size); the batch grows back after
    /// each success. Any other refusal of a whole batch, or a 413 for a single event, is a
    /// failing link: the round ends, everything stays queued, and the loop backs off.
    async fn push_all(&mut self) -> Result<DeliverySummary, SyncError> {
        let mut total = DeliverySummary::default();
        let full = self.batch_size.max(1);
        let mut size = full;
        loop {
            let limit = size as u32;
            let entries = self.store_call(move |s| s.outbox_peek(limit)).await?;
            if entries.is_empty() {
                return Ok(total);
            }
            let events = entries.iter().map(WireEvent::from_outbox).collect();
            match self.client.push(events).await {
                Ok(deliveries) if deliveries.is_empty() => {
                    return Err(SyncError::Protocol(
                        "the CRM answered for none of the events sent".into(),
                    ));
                }
                Ok(deliveries) => {
                    let done = self
                        .store_call(move |s| s.record_deliveries(&deliveries))
                        .await?;
                    total.delivered += done.delivered;
                    total.rejected += done.rejected;
                    total.adopted += done.adopted;
                    size = (size * 2).min(full);
                    self.publish_progress().await;
                }
                Err(SyncError::TooLarge) if size > 1 => {
                    size /= 2;
                    tracing::info!(size, "the CRM found the batch too large; sending fewer");
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Pulls pages until the CRM has no more; each page and its cursor in one transaction.
    /// A cursor the CRM no longer knows (410) starts the pull again from the beginning, once
    /// per round: every change is idempotent.
    async fn pull_all(&mut self) -> Result<(u64, u64), SyncError> {
        let (mut applied, mut skipped) = (0, 0);
        let mut restarted = false;
        for _ in 0..MAX_PAGES_PER_ROUND {
            let cursor = self.store_call(|s| s.sync_cursor()).await?;
            let page = match self.client.pull(cursor.as_deref(), PULL_PAGE).await {
                Err(SyncError::CursorExpired) if cursor.is_some() && !restarted => {
                    tracing::warn!(
                        "the CRM no longer knows this kiosk's cursor; pulling from the start"
                    );
                    restarted = true;
                    self.store_call(|s| s.clear_sync_cursor()).await?;
                    continue;
                }
                other => other?,
            };
            let mut changes = Vec::with_capacity(page.changes.len());
            for raw in page.changes {
                match serde_json::from_value::<CrmChange>(raw) {
                    Ok(change) => changes.push(change),
                    Err(e) => {
                        tracing::warn!("CRM change not understood, skipped: {e}");
                        skipped += 1;
                    }
                }
            }
            let next = page.next_cursor;
            let new_settings = changes
                .iter()
                .any(|c| matches!(c, CrmChange::Settings { .. }));
            let done = self
                .store_call(move |s| s.apply_changes(&changes, &next))
                .await?;
            if new_settings {
                self.status.send_modify(|s| s.settings_version += 1);
            }
            applied += done.applied;
            skipped += done.skipped;
            if !page.has_more {
                break;
            }
        }
        Ok((applied, skipped))
    }

    async fn store_call<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut crate::store::Store) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, SyncError> {
        match self.store.submit(job).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(SyncError::Setup(format!("local storage: {e}"))),
            Err(_) => Err(SyncError::Setup("local storage has stopped".into())),
        }
    }

    /// Keeps staff mode's queue depth moving during a long drain, at most twice a second
    /// (counting the queue is not free on a large backlog).
    async fn publish_progress(&mut self) {
        if self
            .last_progress
            .is_some_and(|at| at.elapsed() < PROGRESS_INTERVAL)
        {
            return;
        }
        self.last_progress = Some(Instant::now());
        if let Ok(snapshot) = self.store_call(|s| s.sync_snapshot()).await {
            self.status.send_modify(|s| {
                s.queue_depth = snapshot.queue_depth;
                s.rejected_count = snapshot.rejected_count;
            });
        }
    }

    async fn refresh_status(&self, result: &Result<RoundSummary, SyncError>) {
        let snapshot = self.store_call(|s| s.sync_snapshot()).await.ok();
        let (link, error) = match result {
            Ok(_) => (Link::Online, None),
            Err(SyncError::Unauthorized(_)) => (Link::Unauthorized, None),
            Err(e) if e.is_offline() => (Link::Offline, Some(e.to_string())),
            Err(e) => (Link::Failing, Some(e.to_string())),
        };
        self.status.send_modify(|s| {
            s.link = link;
            if let Some(error) = error {
                s.last_error = Some(error);
            } else if link == Link::Online {
                s.last_error = None;
            } else if let Err(e) = result {
                s.last_error = Some(e.to_string());
            }
            if let Some(snapshot) = snapshot {
                apply_snapshot(s, snapshot);
            }
        });
    }
}

fn apply_snapshot(status: &mut SyncStatus, snapshot: crate::store::sync_state::SyncSnapshot) {
    status.queue_depth = snapshot.queue_depth;
    status.rejected_count = snapshot.rejected_count;
    status.last_sync_at = snapshot.last_sync_at;
    status.latest_rejection = snapshot
        .latest_rejection
        .map(|r| format!("{}: {}", r.kind, r.reason));
    status.quarantined = snapshot.quarantined;
}

/// With no CRM: keep the queue depth current for staff mode and warn when it grows large.
async fn monitor_unconfigured(
    store: StoreHandle,
    status: watch::Sender<SyncStatus>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let mut warned_at = None;
    loop {
        let Ok(snapshot) = store.submit(|s| s.sync_snapshot()).await else {
            return; // the store has shut down
        };
        match snapshot {
            Ok(snapshot) => {
                let depth = snapshot.queue_depth;
                status.send_modify(|s| apply_snapshot(s, snapshot));
                if depth >= QUEUE_WARNING_DEPTH && warned_at != Some(depth) {
                    tracing::warn!(
                        depth,
                        "no CRM configured and the outbox is large; events are kept until one is set up"
                    );
                    warned_at = Some(depth);
                }
            }
            Err(e) => tracing::warn!("cannot read the outbox depth: {e}"),
        }
        // New events wake this at once, but it counts the queue at most once a second:
        // counting a large outbox is not free, and a queue of sign-ups must not wait on it.
        tokio::select! {
            () = tokio::time::sleep(UNCONFIGURED_CHECK) => {}
            () = wake.notified() => {
                tokio::select! {
                    () = tokio::time::sleep(UNCONFIGURED_MIN_GAP) => {}
                    _ = stop.changed() => return,
                }
            }
            _ = stop.changed() => return,
        }
    }
}
