//! The dialogs editing opens over the table; each takes the keys until it
//! closes. Each has a file of its own with its state, its keys and what it
//! draws; the canvas only frames the body. The forms are in `form/`; what
//! they share with the dialogs is in `frame`, so forms need no dialog.

mod confirm;
mod drain;
mod picker;
mod weight;
mod zero;

use super::form::Form;
use super::request::Request;

pub use super::frame::{Body, Key};
pub use confirm::Confirmation;
pub use drain::{DrainDialog, DEADLINE_MAX_MINUTES};
pub use picker::SchedulerPicker;
pub use weight::ExactWeight;
pub use zero::ZeroChoice;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Form(Form),
    /// `s`: the kernel's schedulers.
    Picker(SchedulerPicker),
    /// Deletes and zero-all: what goes, and the request sent on `y`.
    Confirm(Confirmation),
    /// `w`: an exact weight.
    Weight(ExactWeight),
    /// `Z`: the selected service, or all (confirmed next).
    Zero(ZeroChoice),
    /// The drain assistant's deadline, its question, the resume offer.
    Drain(DrainDialog),
}

/// What a key did to a dialog.
#[derive(Debug)]
pub enum Outcome {
    /// The dialog stays open as this (itself, or the one it became).
    Stay(Modal),
    Close,
    /// Send this and close.
    Send(Request),
}
