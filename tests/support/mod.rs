//! Helpers shared by the integration tests (`mod support;` in a test file).
#![allow(dead_code)] // each test binary uses its own subset

pub mod conn_json;
pub mod conn_lines;
pub mod console;
pub mod console_jobs;
pub mod fleet;
pub mod golden;
pub mod host_tools;
pub mod vm;
