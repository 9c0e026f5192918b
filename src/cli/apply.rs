//! `lvstop apply`: ipvsadm rules through lvstop's own change API.

use std::io::Read;
use std::path::Path;

use crate::backend::Backend;
use crate::edit::{Editor, Error};
use crate::model::Change;
use crate::output;
use crate::rules;

/// Reads and parses every rule (nothing is opened or sent if any line is
/// bad): the source's name and its changes.
pub fn load(file: Option<&Path>) -> Result<(String, Vec<Change>), String> {
    let (name, text) = match file {
        None => ("standard input".to_string(), read_stdin()?),
        Some(p) if p == Path::new("-") => ("standard input".to_string(), read_stdin()?),
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {}: {}", p.display(), e.kind()))?,
        ),
    };
    let changes =
        rules::parse_rules(&text).map_err(|e| format!("{name}: {e}; nothing was applied"))?;
    Ok((name, changes))
}

/// Applies the changes in order through the journaling editor. Each rule is
/// one kernel command, applied whole or not at all; on the first refusal the
/// run stops and says what was already applied.
pub fn run<B: Backend>(
    editor: &mut Editor<B>,
    name: &str,
    changes: &[Change],
) -> Result<(), String> {
    for (i, change) in changes.iter().enumerate() {
        let result = match editor.apply(change.clone()) {
            // Applied; only the journal's result line is missing: say so and stop.
            Err(e @ Error::Unrecorded { .. }) => return Err(format!("{e}; stopped after it")),
            Err(Error::Refused(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
            Ok(_) => Ok(()),
        };
        if let Err(e) = result {
            return Err(format!(
                "{e}\n  refused: {}\n  {} of {} changes from {name} were applied before it; none after",
                output::command_line(change),
                i,
                changes.len()
            ));
        }
    }
    eprintln!("lvstop: applied {} changes from {name}", changes.len());
    Ok(())
}

fn read_stdin() -> Result<String, String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| format!("cannot read standard input: {}", e.kind()))?;
    Ok(s)
}
