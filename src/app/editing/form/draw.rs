//! How both forms are drawn inside their dialog: a line per visible field
//! (label, value or example, the field's message), then the preview line,
//! the refusal or progress, and the keys (or the question Esc asked).
//! Examples are dim and italic, `e.g.`; fixed values are plain, marked
//! `(fixed)`.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::{Form, Input};
use crate::app::editing::frame::Body;

const LABEL: usize = 19;
const VALUE: usize = 30;

impl Form {
    /// The form inside its dialog frame, on a screen `screen` columns wide;
    /// messages in `alert`.
    pub fn body(&self, screen: u16, alert: Style) -> Body {
        Body {
            title: self.title(),
            lines: lines(self, screen, alert),
            width: 100,
        }
    }
}

fn lines(form: &Form, screen: u16, alert: Style) -> Vec<Line<'static>> {
    let dim = Style::default().add_modifier(Modifier::DIM);
    let example = dim.add_modifier(Modifier::ITALIC);
    let inner = usize::from(screen.min(100).saturating_sub(2));
    let focused = form.focused();
    let mut lines = Vec::new();
    for f in form.visible() {
        let is_focus = Some(f.id) == focused;
        let marker = if is_focus { "›" } else { " " };
        let label = format!("{marker} {:<LABEL$}", f.id.label());
        let (value, value_style) = match &f.input {
            _ if f.locked => (f.value().to_string(), Style::default()),
            Input::Text(s) if s.is_empty() && !is_focus => {
                (f.id.placeholder().to_string(), example)
            }
            Input::Text(s) => (
                if is_focus {
                    format!("{s}▏")
                } else {
                    s.clone()
                },
                Style::default(),
            ),
            Input::Choice { .. } => (format!("‹ {} ›", f.value()), Style::default()),
        };
        let value_style = if is_focus && !f.locked {
            value_style.add_modifier(Modifier::REVERSED)
        } else {
            value_style
        };
        let mut spans = vec![Span::raw(label)];
        if f.locked {
            // The value as it is, then the mark, padded to the column.
            let pad = VALUE.saturating_sub(value.chars().count() + " (fixed)".len());
            spans.push(Span::styled(value, value_style));
            spans.push(Span::styled(format!(" (fixed){:pad$}", ""), dim));
        } else {
            spans.push(Span::styled(format!("{value:<VALUE$}"), value_style));
        }
        // Beside the field when it fits, else on the line under it.
        let beside = |e: &str| 2 + LABEL + VALUE + 3 + e.chars().count() <= inner;
        match (&f.error, f.error.as_deref().is_some_and(beside)) {
            (Some(e), true) => spans.push(Span::styled(format!(" ✗ {e}"), alert)),
            (Some(e), false) => {
                lines.push(Line::from(spans));
                spans = vec![Span::styled(
                    format!("{:>w$}✗ {e}", "", w = LABEL + 2),
                    alert,
                )];
            }
            (None, _) => {}
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    // The command once valid; else what it still needs, never half of it.
    let preview = if form.is_valid() && form.change().is_some() {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        example
    };
    lines.push(Line::from(Span::styled(form.command_line(), preview)));
    if let Some(r) = &form.refusal {
        lines.push(Line::from(Span::styled(format!("✗ {r}"), alert)));
    } else if form.sending {
        lines.push(Line::from("sending…"));
    }
    let bold = Style::default().add_modifier(Modifier::BOLD);
    lines.push(if form.asking_discard {
        Line::from(vec![
            Span::styled("Discard the changes to this form? ", bold),
            Span::styled("y", bold),
            Span::raw(" discard · "),
            Span::styled("n", bold),
            Span::raw("/Esc keep editing"),
        ])
    } else {
        Line::from("Tab/↑↓ field · ←→/space choose · Enter send · Esc cancel")
    });
    lines
}
