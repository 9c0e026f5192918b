//! The journal's latest entries as the monitor's pane shows them.

use crate::backend::Backend;
use crate::edit::Editor;
use crate::journal::{Journal, Outcome};

/// Journal entries the pane keeps.
pub const JOURNAL_PANE_ENTRIES: usize = 200;

/// The journal's latest entries, one line each:
/// `21:03:04 root applied (undo): ipvsadm -e -t ...`.
pub fn journal_lines<B: Backend>(editor: &Editor<B>) -> Vec<String> {
    let Ok(read) = Journal::read_all(editor.journal_path()) else {
        return Vec::new();
    };
    let skip = read.entries.len().saturating_sub(JOURNAL_PANE_ENTRIES);
    read.entries[skip..]
        .iter()
        .map(|e| {
            let r = e.record();
            let time = r.time.get(11..19).unwrap_or(&r.time);
            let outcome = match e.outcome() {
                Outcome::Applied => "applied".to_string(),
                Outcome::Refused { message, .. } => format!("REFUSED ({message})"),
                Outcome::MayHaveBeenApplied => "UNKNOWN (no result recorded)".to_string(),
            };
            let undo = if r.undo_of.is_some() { " (undo)" } else { "" };
            format!(
                "{time} {} {outcome}{undo}: ipvsadm {}",
                r.user
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("uid {}", r.user.uid)),
                r.ipvsadm
            )
        })
        .collect()
}
