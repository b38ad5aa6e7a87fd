//! Wiring: builds the whole kiosk (storage thread, tokio runtime for background work, Slint
//! window and controllers) from a configuration, as a library so tests drive exactly what
//! `member-kiosk run` runs.
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::thread::JoinHandle;
use std::time::Duration;

use slint::ComponentHandle;

use crate::config::{Config, ConfigError};
use crate::devices::runtime::Devices;

use crate::store::{DATABASE_FILE, StoreError, StoreHandle};
use crate::sync::{SyncHandle, SyncStatus};
use crate::ui::{AppWindow, KioskUi, UiSettings};

#[derive(Debug, thiserror::Error)]
pub enum KioskError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("user interface: {0}")]
    Ui(#[from] slint::PlatformError),
    #[error("devices: {0}")]
    Devices(std::io::Error),
    #[error("cannot start background runtime: {0}")]
    Runtime(std::io::Error),
    #[error("sync: {0}")]
    Sync(#[from] crate::sync::SyncError),
    #[error("{0}")]
    Usage(String),
}

/// A fully wired kiosk.
pub struct Kiosk {
    pub window: AppWindow,
    pub ui: Rc<KioskUi>,
    pub store: StoreHandle,
    pub database: PathBuf,
    fullscreen: bool,
    store_thread: Option<JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
    devices: Option<Devices>,
    sync: Option<SyncHandle>,
}

/// Device events waiting for the UI thread; beyond this a babbling device loses events.
const DEVICE_EVENT_QUEUE: usize = 64;

impl Kiosk {
    /// Opens storage in `data_dir` and builds the UI. The Slint platform must be usable
    /// (a display, or the testing backend installed by the caller).
    pub fn build(config: &Config, data_dir: &Path) -> Result<Kiosk, KioskError> {
        std::fs::create_dir_all(data_dir).map_err(|source| KioskError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let database = data_dir.join(DATABASE_FILE);
        let (store, store_thread) =
            StoreHandle::open_waiting(&database, crate::service::starting_slowly)?;
        tracing::info!(database = %database.display(), "storage open");

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("background")
            .enable_all()
            .build()
            .map_err(KioskError::Runtime)?;
        let sync = SyncHandle::start(runtime.handle(), store.clone(), config.crm.as_ref());
        // Settings the CRM published last time override the file; new ones are taken while
        // running (see the sync status task below).
        let file_config = config.clone();
        let config = match store.call(|s| s.crm_settings()) {
            Ok(settings) => config.with_crm_settings(&settings),
            Err(e) => {
                tracing::warn!("CRM settings not read: {e}");
                config.clone()
            }
        };
        let config = &config;

        let window = AppWindow::new()?;
        let signer = store.call(|s| Ok(s.signer().cloned())).unwrap_or_else(|e| {
            tracing::error!("member code key not read: {e}");
            None
        });
        let verifications = config
            .crm
            .as_ref()
            .filter(|crm| crm.one_time_codes)
            .and_then(|crm| match crate::sync::client::CrmClient::new(crm) {
                Ok(client) => Some(Rc::new(crate::ui::verifier::CrmVerifications::new(
                    client,
                    runtime.handle().clone(),
                ))
                    as Rc<dyn crate::ui::ports::Verifications>),
                Err(e) => {
                    tracing::error!("one-time codes off: {e}");
                    None
                }
            });
        let brightness = crate::ui::ports::SysfsBrightness::find(
            &config.kiosk.backlight_dir,
            runtime.handle().clone(),
        )
        .map(|b| Rc::new(b) as Rc<dyn crate::ui::ports::Brightness>);
        let ui = KioskUi::install(
            &window,
            UiSettings::from_config(config),
            store.clone(),
            signer,
            verifications,
            brightness,
        );

        // Device threads hand events to the UI thread through a bounded queue.
        let (sink, mut events) = crate::devices::bounded_sink(DEVICE_EVENT_QUEUE);
        let weak = Rc::downgrade(&ui);
        slint::spawn_local(async move {
            while let Some(event) = events.recv().await {
                match weak.upgrade() {
                    Some(ui) => ui.device_event(event),
                    None => return,
                }
            }
        })
        .map_err(|e| KioskError::Usage(format!("cannot receive device events: {e}")))?;
        let devices = Devices::start(config, data_dir, sink).map_err(KioskError::Devices)?;

        // The sync loop's state reaches staff mode on the UI thread, and settings the CRM
        // publishes reach the screens. The task holds no store handle: the storage thread
        // must be able to end once the kiosk drops its own.
        let mut sync_status = sync.status();
        let weak = Rc::downgrade(&ui);
        slint::spawn_local(async move {
            let mut settings_seen = 0;
            loop {
                let status = sync_status.borrow_and_update().clone();
                {
                    // Not held across the await below: the kiosk owns the UI.
                    let Some(ui) = weak.upgrade() else {
                        return;
                    };
                    ui.show_sync_status(&status);
                    if status.settings_version != settings_seen {
                        settings_seen = status.settings_version;
                        ui.reload_crm_settings(file_config.clone());
                    }
                }
                if sync_status.changed().await.is_err() {
                    return;
                }
            }
        })
        .map_err(|e| KioskError::Usage(format!("cannot receive sync status: {e}")))?;

        Ok(Kiosk {
            window,
            ui,
            store,
            database,
            fullscreen: config.kiosk.fullscreen,
            store_thread: Some(store_thread),
            runtime: Some(runtime),
            devices: Some(devices),
            sync: Some(sync),
        })
    }

    /// The sync state as staff mode shows it.
    pub fn sync_status(&self) -> Option<tokio::sync::watch::Receiver<SyncStatus>> {
        self.sync.as_ref().map(SyncHandle::status)
    }

    /// Shows the window and runs until it is closed or the process is told to stop
    /// (SIGTERM/SIGINT), then shuts down in order.
    pub fn run(self) -> Result<(), KioskError> {
        if let Some(runtime) = &self.runtime {
            runtime.spawn(crate::service::quit_on_signals());
        }
        let result = self.window.show().and_then(|()| {
            if self.fullscreen {
                crate::display::fill_screen(&self.window);
            }
            let store = self.store.clone();
            let _watchdog = crate::service::install(
                self.window.window(),
                Box::new(move || store.submit(|_| ())),
            );
            slint::run_event_loop()
        });
        let _ = self.window.hide();
        self.shutdown();
        Ok(result?)
    }

    /// Stops the devices and background work first, then closes the UI, then lets the storage thread finish
    /// every queued job (so a commit in flight completes) and waits for it.
    pub fn shutdown(self) {
        let Kiosk {
            window,
            ui,
            store,
            database,
            store_thread,
            runtime,
            devices,
            sync,
            ..
        } = self;
        drop(devices);
        if let Some(runtime) = runtime {
            if let Some(sync) = sync {
                // Ends the request in flight; an answer already received is recorded in one
                // transaction or not at all, so nothing is lost either way.
                let stopped = runtime.block_on(async {
                    tokio::time::timeout(Duration::from_secs(3), sync.stop()).await
                });
                if stopped.is_err() {
                    tracing::warn!("sync did not stop within 3 s; abandoning its request");
                }
            }
            runtime.shutdown_timeout(Duration::from_secs(2));
        }
        drop(ui);
        drop(window);
        drop(store);
        match store_thread.map(JoinHandle::join) {
            // Every commit done and the database closed: the next start may skip the
            // full check.
            Some(Ok(())) => crate::store::quarantine::mark_clean_shutdown(&database),
            Some(Err(_)) => tracing::error!("storage thread panicked"),
            None => {}
        }
        tracing::info!("kiosk stopped");
    }
}
