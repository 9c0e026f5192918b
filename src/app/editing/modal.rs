//! The dialogs editing opens over the table; each takes the keys until it
//! closes.

use crate::model::{DestKey, Service, ServiceKey};

use super::form::Form;
use super::request::Request;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Form(Form),
    /// `s`: the kernel's schedulers, the current one first selected.
    Picker {
        service: Service,
        at: usize,
    },
    /// Deletes and zero-all: what goes, and the request sent on `y`.
    Confirm {
        title: String,
        lines: Vec<String>,
        request: Request,
    },
    /// `w`: an exact weight.
    Weight {
        service: ServiceKey,
        dest: DestKey,
        text: String,
        error: Option<String>,
    },
    /// `Z`: the selected service, or all (confirmed next).
    Zero {
        service: ServiceKey,
        services: usize,
    },
}
