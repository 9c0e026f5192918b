//! What the preview line says while the form is not valid yet: the fields
//! still empty and the ones to correct, never half a command.

use super::{FieldId, Form, Input};

/// `needs: virtual address, port · fix: scheduler flags`.
pub(super) fn missing(form: &Form) -> String {
    let (mut needs, mut fix) = (Vec::new(), Vec::new());
    for f in form.visible() {
        if f.error.is_none() {
            continue;
        }
        let empty = matches!(&f.input, Input::Text(s) if s.trim().is_empty());
        if empty { &mut needs } else { &mut fix }.push(name(f.id));
    }
    let mut parts = Vec::new();
    if !needs.is_empty() {
        parts.push(format!("needs: {}", needs.join(", ")));
    }
    if !fix.is_empty() {
        parts.push(format!("fix: {}", fix.join(", ")));
    }
    if parts.is_empty() {
        // Every field passes its own check; the grammar's builder refused
        // the whole.
        return "not a valid command yet".into();
    }
    parts.join(" · ")
}

/// A field as the preview names it: the labels of the address fields say
/// which address on a line of their own.
fn name(id: FieldId) -> &'static str {
    match id {
        FieldId::Address => "virtual address",
        FieldId::Port => "virtual port",
        FieldId::Server => "real server address",
        FieldId::ServerPort => "real server port",
        other => other.label(),
    }
}
