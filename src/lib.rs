//! member-kiosk: firmware for an in-store membership kiosk.
//!
//! Layout: [`domain`] is pure logic with no I/O; [`store`] is local SQLite storage, the
//! source of truth; [`devices`] and [`sync`] are the counter hardware and the CRM link;
//! [`ui`] is the glue to the Slint pages in `ui/`, [`display`] picks how they reach the
//! screen; [`app`] wires them together, and
//! `main.rs` only parses the command line.
pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod devices;
pub mod display;
pub mod domain;
pub mod logging;
pub mod service;
pub mod store;
pub mod sync;
pub mod ui;
