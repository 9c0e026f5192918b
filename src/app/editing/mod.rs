//! Changing the table from the keyboard: the pure state of the editing UI
//! (dialogs, forms, weight presses in flight, messages, the journal pane).
//! Keys come in as [`Key`]s, requests for the backend owner go out through
//! [`Editing::take_requests`], its answers come back through
//! [`Editing::reply`]. Nothing here touches the backend.

mod banner;
pub mod form;
mod mark;
mod modal;
mod request;
mod state;

pub use banner::Banner;
pub use form::{Field, FieldId, Form, Input, Kind};
pub use mark::WeightMark;
pub use modal::Modal;
pub use request::{Reply, Request};
pub use state::{Editing, Key, Message, Mode, READ_ONLY};
