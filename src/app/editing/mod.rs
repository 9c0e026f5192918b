//! Changing the table from the keyboard: the pure state of the editing UI
//! (dialogs, forms, weight presses in flight, messages, the journal pane).
//! Commands come in as [`EditCommand`]s from the key table and dialog keys
//! as [`Key`]s; requests for the backend owner go out through
//! [`Editing::take_requests`], its answers come back through
//! [`Editing::reply`]. Nothing here touches the backend.

mod banner;
mod command;
pub mod dialog;
pub mod form;
mod frame;
mod journal_pane;
mod mark;
mod nudge;
mod request;
mod state;
mod tuning;

pub use banner::{set_setting_warnings, Banner};
pub use command::EditCommand;
pub use dialog::{Key, Modal};
pub use form::{Field, FieldId, Form, Input, Kind};
pub use journal_pane::JournalPane;
pub use mark::WeightMark;
pub use nudge::{NudgeStatus, WeightNudger};
pub use request::{Reply, Request, UndoNext};
pub use state::{Editing, Message, Mode, READ_ONLY, REPLAY_READ_ONLY};
pub use tuning::Tuning;
