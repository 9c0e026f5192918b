//! The `?` overlay: every key, as the key table lists it.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::app::Action;
use crate::keys::{Command, KeyTable};

pub fn draw(frame: &mut Frame, area: Rect, keys: &KeyTable) {
    let help = keys.help_lines();
    let width = 62.min(area.width);
    let height = (help.len() as u16 + 4).min(area.height);
    let r = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = help
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<19}"), bold),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    let key = |a| keys.key_for(Command::View(a)).unwrap_or_default();
    lines.push(Line::from(format!(
        " {} or {} closes",
        key(Action::Escape),
        key(Action::Help)
    )));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Keys ")),
        r,
    );
}
