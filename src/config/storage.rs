//! `[storage]`: where the database lives.
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Where the database lives. Default: `$STATE_DIRECTORY` under systemd
    /// (`/var/lib/member-kiosk`), else `$XDG_DATA_HOME/member-kiosk`.
    pub data_dir: Option<PathBuf>,
}
