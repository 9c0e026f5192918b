//! One request from the editing UI carried out through the editor, the
//! answer in words.

use crate::app::editing::Request;
use crate::backend::Backend;
use crate::edit::{Applied, Editor};
use crate::model::Change;
use crate::output;

/// One request through the editor: what was done, or why not, in words.
pub fn carry_out(
    editor: &mut Editor<Box<dyn Backend>>,
    request: &Request,
) -> Result<String, String> {
    let done = |a: Applied| format!("applied: {}", output::command_line(&a.change));
    let weight = |a: Applied| match &a.change {
        Change::EditDest { dest, .. } => format!(
            "weight of {} is now {}: {}",
            crate::output::addr_port(&dest.addr, dest.port),
            dest.weight,
            output::command_line(&a.change)
        ),
        _ => done(a),
    };
    let error = |e: crate::edit::Error| e.to_string();
    match request {
        Request::Apply(change) => editor.apply(change.clone()).map(done).map_err(error),
        Request::Nudge(w) => editor.nudge(w).map(weight).map_err(error),
        Request::SetWeight {
            service,
            dest,
            weight: w,
        } => editor
            .set_weight(service, dest, |_| *w)
            .map(weight)
            .map_err(error),
        Request::Drain { service, dest } => editor
            .toggle_drain(service, dest)
            .map(weight)
            .map_err(error),
        Request::Undo => editor
            .undo()
            .map(|u| {
                let lines: Vec<String> = u
                    .applied
                    .iter()
                    .map(|a| output::command_line(&a.change))
                    .collect();
                format!("undone: {}", lines.join("; "))
            })
            .map_err(error),
    }
}
