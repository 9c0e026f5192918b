//! What editing adds to the screen: banners and the frame of every dialog
//! (each dialog and form draws its own body). The journal pane is in
//! `journal`.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::editing::dialog::Body;
use crate::app::editing::{Editing, Modal};

use super::Palette;

/// Banner lines: keepalived, a journal that cannot be written.
pub fn banners(frame: &mut Frame, area: Rect, edit: &Editing, palette: &Palette) {
    let lines: Vec<Line> = edit
        .banners
        .iter()
        .map(|b| {
            Line::from(Span::styled(
                format!("⚠ {b}"),
                Style::default()
                    .fg(palette.warn)
                    .add_modifier(Modifier::BOLD),
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The open dialog, centred.
pub fn modal(frame: &mut Frame, area: Rect, edit: &Editing, palette: &Palette) {
    let Some(modal) = &edit.modal else { return };
    let alert = Style::default().fg(palette.alert);
    let body = match modal {
        Modal::Form(form) => form.body(area.width, alert),
        Modal::Picker(picker) => picker.body(),
        Modal::Confirm(confirmation) => confirmation.body(),
        Modal::Weight(weight) => weight.body(alert),
        Modal::Zero(zero) => zero.body(),
        Modal::Drain(drain) => drain.body(alert),
    };
    let Body {
        title,
        lines,
        width,
    } = body;
    let width = width.min(area.width);
    let inner_width = width.saturating_sub(2).max(1);
    // Height after wrapping, so long command lines are not cut.
    let height: u16 = lines
        .iter()
        .map(|l| (l.width() as u16).div_ceil(inner_width).max(1))
        .sum::<u16>()
        + 2;
    let height = height.min(area.height);
    let r = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {title} "))),
        r,
    );
}
