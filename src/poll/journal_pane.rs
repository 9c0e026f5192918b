//! The journal's latest entries as the monitor's pane shows them.

use crate::backend::Backend;
use crate::edit::words;
use crate::edit::Editor;
use crate::journal::{Journal, Outcome, Readback};

/// Journal entries the pane keeps.
pub const JOURNAL_PANE_ENTRIES: usize = 200;

/// The journal's latest entries, one line each, the change in words:
/// `21:03:04 applied  10.10.1.14:8080 weight 50 → 51  (undo)  by root`, in
/// the status line's words for a change.
pub fn journal_lines<B: Backend>(editor: &Editor<B>) -> Vec<String> {
    match Journal::read_all(editor.journal_path()) {
        Ok(read) => pane_lines(&read),
        Err(_) => Vec::new(),
    }
}

/// The pane's lines of a journal read (from the file, or a recording's).
pub fn pane_lines(read: &Readback) -> Vec<String> {
    let skip = read.entries.len().saturating_sub(JOURNAL_PANE_ENTRIES);
    read.entries[skip..]
        .iter()
        .map(|e| {
            let r = e.record();
            let time = r.time.get(11..19).unwrap_or(&r.time);
            let (outcome, why) = match e.outcome() {
                Outcome::Applied => ("applied", String::new()),
                Outcome::Refused { message, .. } => ("REFUSED", format!(": {message}")),
                Outcome::MayHaveBeenApplied => ("UNKNOWN", ": no result recorded".into()),
            };
            let undo = if r.undo_of.is_some() { "  (undo)" } else { "" };
            let user = r
                .user
                .name
                .clone()
                .unwrap_or_else(|| format!("uid {}", r.user.uid));
            let what = words::done(&r.change, &r.before, r.after.as_ref());
            format!("{time} {outcome:<7}  {what}{why}{undo}  by {user}")
        })
        .collect()
}
