//! One request from the editing UI carried out through the editor, the
//! answer in words: the value before and after, `✓` or `✗` and why.

use crate::app::editing::{Request, UndoNext};
use crate::backend::Backend;
use crate::edit::{inverse, words, Applied, Editor, Error};
use crate::output;

/// One request through the editor: what was done, or why not, in words.
pub fn carry_out(
    editor: &mut Editor<Box<dyn Backend>>,
    request: &Request,
) -> Result<String, String> {
    let done = |a: Applied| format!("{} ✓", said(&a));
    let result = match request {
        Request::Apply(change) => editor.apply(change.clone()).map(done),
        Request::Nudge(w) => editor.nudge(w).map(done),
        Request::SetWeight {
            service,
            dest,
            weight: w,
        } => editor.set_weight(service, dest, |_| *w).map(done),
        Request::Drain { service, dest } => editor.toggle_drain(service, dest).map(|a| {
            let drained = editor.drained_weight(service, dest).is_some();
            let hint = if drained { " (x again restores)" } else { "" };
            format!("{} ✓{hint}", said(&a))
        }),
        Request::Undo { of } => return undo(editor, of),
        Request::Watch(r) => return super::drain_watch::carry_out(editor, r),
    };
    result.map_err(failed)
}

/// What `u` would undo now.
pub fn undo_next<B: Backend>(editor: &Editor<B>) -> Option<UndoNext> {
    let last = editor.undo_stack().last()?;
    let changes = inverse(&last.change, &last.before).unwrap_or_default();
    let said: Vec<String> = changes.iter().map(words::will_do).collect();
    let words = match said.len() {
        0 => words::done(&last.change, &last.before, last.after.as_ref()),
        1 => said[0].clone(),
        n => format!("{} and {} more", said[0], n - 1),
    };
    Some(UndoNext {
        id: last.id.clone(),
        words,
        deletes: changes.iter().any(words::deletes),
        commands: changes.iter().map(output::command_line).collect(),
    })
}

fn undo(editor: &mut Editor<Box<dyn Backend>>, of: &str) -> Result<String, String> {
    // The UI asked about the change it showed; if another came last since
    // (a press still in flight), undoing that one was not what was asked.
    if editor.undo_stack().last().map(|a| a.id.as_str()) != Some(of) {
        return Err(
            "✗ nothing undone: the last change is not the one shown any more; press u again".into(),
        );
    }
    match editor.undo() {
        Ok(u) => {
            let first = u.applied.first().map(said).unwrap_or_default();
            Ok(match u.applied.len() {
                0 | 1 => format!("undone: {first} ✓"),
                n => format!("undone: {first} and {} more ✓", n - 1),
            })
        }
        Err(Error::NotUndoable { reason, .. }) => Err(format!("✗ cannot undo: {reason}")),
        Err(Error::UndoStopped {
            restored,
            error,
            not_attempted,
            ..
        }) => Err(format!(
            "✗ undo stopped after {} of {} commands: {}",
            restored.len(),
            restored.len() + 1 + not_attempted.len(),
            failed(*error).trim_start_matches("✗ ")
        )),
        Err(e) => Err(failed(e)),
    }
}

fn said(a: &Applied) -> String {
    words::done(&a.change, &a.before, a.after.as_ref())
}

/// A failure in words; an id from the journal is never shown.
pub(super) fn failed(e: Error) -> String {
    match e {
        Error::Unrecorded { applied, journal } => {
            format!("{} ✓ but not in the journal: {journal}", said(&applied))
        }
        e => format!("✗ {e}"),
    }
}
