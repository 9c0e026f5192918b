//! Tuning mode's footer: `TUNING 10.10.1.21:443  weight 9  ←/→ ±1 …`,
//! in place of the key hints while a real server's weight is under the
//! arrows. The hints come from the key table.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::editing::{Message, WeightMark};
use crate::app::table::Row;
use crate::app::App;
use crate::keys::KeyTable;

use super::status::fit_words;
use super::Palette;

/// The line, if tuning mode is on. The address and the weight always
/// stay; then the last write's message, then the key hints that fit.
pub fn tuning_line(
    app: &App,
    message: Option<&Message>,
    palette: &Palette,
    keys: &KeyTable,
    width: usize,
) -> Option<Line<'static>> {
    app.tuning()?;
    let Some(Row::Dest(i, j)) = app.view().selected_row() else {
        return None;
    };
    let row = &app.store().services()[i];
    let d = row.dests()[j].dest();
    let mark = match app.weight_marks().get(&(row.service().key, d.key())) {
        Some(WeightMark::Pending) => "…",
        Some(WeightMark::Applied) => "✓",
        Some(WeightMark::Failed { .. }) => "✗",
        None => "",
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let badge = bold.fg(palette.badge).add_modifier(Modifier::REVERSED);
    let mut spans = vec![
        Span::styled("TUNING", badge),
        Span::styled(
            format!(" {}", crate::output::addr_port(&d.addr, d.port)),
            bold,
        ),
        Span::raw(format!("  weight {}{mark}", d.weight)),
    ];
    let mut room = width.saturating_sub(spans.iter().map(|s| s.width()).sum());
    let mut hints = keys.tuning_footer();
    let need = |h: &[(String, &str)]| -> usize {
        h.iter()
            .map(|(k, what)| 2 + k.chars().count() + 1 + what.chars().count())
            .sum()
    };
    // The last hint (how to leave) keeps its room: the mode must never
    // look like a trap. The message of the last write comes before the
    // other hints, which drop from the right.
    let leave = need(&hints[hints.len().saturating_sub(1)..]);
    if let Some(m) = message {
        // A success is worth showing whole only; an error in part.
        let fitted =
            fit_words(&m.text, room.saturating_sub(leave + 2)).filter(|t| m.error || *t == m.text);
        if let Some(text) = fitted {
            room -= 2 + text.chars().count();
            let fg = if m.error {
                palette.alert
            } else {
                palette.spark
            };
            spans.push(Span::styled(format!("  {text}"), Style::default().fg(fg)));
        }
    }
    while hints.len() > 1 && need(&hints) > room {
        hints.remove(hints.len() - 2);
    }
    if need(&hints) <= room {
        for (k, what) in hints {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(k, bold));
            spans.push(Span::raw(format!(" {what}")));
        }
    }
    Some(Line::from(spans))
}
