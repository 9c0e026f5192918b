//! Drawing: a pure function of the app state onto a ratatui frame. Nothing
//! here reads the clock or the backend; everything comes from `App` and
//! `Chrome`.

mod across;
mod alerts;
mod bars;
mod connections;
mod differences;
mod director;
mod drain;
mod editing;
mod emphasis;
mod fleet_dialog;
mod fleet_strip;
mod half_open;
mod header;
mod help;
mod journal;
mod settings;
mod sparks;
mod status;
mod table;
mod time;
mod tuning;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::editing::{Editing, Message};
use crate::app::App;
use crate::keys::KeyTable;

pub use table::shown_columns;
pub use time::TimeZone;

/// The smallest terminal the layout fits in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

/// What the monitor shows around the table that does not come from polls.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub host: String,
    /// e.g. "DEMO", "READ-ONLY".
    pub badges: Vec<String>,
    pub tz: TimeZone,
    pub palette: Palette,
}

/// The few colours the screen uses, configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Sparklines.
    pub spark: Color,
    /// The operator's own edits and jumps large enough to matter.
    pub changed: Color,
    /// Critical alerts, the stale badge.
    pub alert: Color,
    /// Warning alerts, an alerted real server's weight/traffic mismatch,
    /// slow polls.
    pub warn: Color,
    /// DEMO / READ-ONLY badges.
    pub badge: Color,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            spark: Color::Green,
            // Not yellow: yellow and red mean alerts.
            changed: Color::Cyan,
            alert: Color::Red,
            warn: Color::Yellow,
            badge: Color::Cyan,
        }
    }
}

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// Warnings (keepalived, journal), one line each; empty without any.
    pub banners: Rect,
    /// The table including its column-title line.
    pub table: Rect,
    pub sparks: Rect,
    /// The journal pane when open: one line when empty.
    pub journal: Rect,
    pub footer: Rect,
}

impl Areas {
    /// Rows of data the table shows.
    pub fn table_rows(&self) -> usize {
        self.table.height.saturating_sub(1) as usize
    }

    /// Entries the journal pane shows.
    pub fn journal_rows(&self) -> usize {
        journal::rows(self.journal)
    }

    /// The table row (index into `App::rows`) at screen position `y`.
    pub fn row_at(&self, app: &App, y: u16) -> Option<usize> {
        if y <= self.table.y || y >= self.table.y + self.table.height {
            return None;
        }
        let i = app.view().offset() + (y - self.table.y - 1) as usize;
        (i < app.view().rows().len()).then_some(i)
    }
}

/// Splits the screen; `None` when it is too small for the layout. Room is
/// made for the warning lines and the journal pane of `edit`.
pub fn areas(area: Rect, app: &App, edit: &Editing) -> Option<Areas> {
    let banners = edit.banners.len() as u16;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    // A fourth header line names the worst alert while there is one.
    let header = 3 + u16::from(app.store().alert_count() > 0);
    let footer = 1;
    let banners = banners.min(2);
    let room = area.height - header - footer - banners;
    let journal = edit.journal.height(room);
    let room = room - journal;
    // The sparkline pane wants the service and each of its real servers in
    // a border, but never more than a third of the room; the table gets
    // what its rows need and the pane the rest, so no blank band sits
    // between them.
    let series = app.selected_service().map_or(1, |s| 1 + s.dests().len()) as u16;
    let pane = (series + 2)
        .min(room / 3)
        .max(3)
        .min(room.saturating_sub(2));
    let rows = app.view().rows().len().max(1) as u16;
    // The connections view takes the table's and the sparklines' room.
    let table = match app.view().connections().is_some() || app.drain_view().is_some() {
        true => room,
        false => (rows + 1).min(room - pane).max(2).min(room),
    };
    let sparks = room - table;
    let [header, banners, table, sparks, journal, footer] = Layout::vertical([
        Constraint::Length(header),
        Constraint::Length(banners),
        Constraint::Length(table),
        Constraint::Length(sparks),
        Constraint::Length(journal),
        Constraint::Length(footer),
    ])
    .areas(area);
    Some(Areas {
        header,
        banners,
        table,
        sparks,
        journal,
        footer,
    })
}

/// Draws the whole screen; `message` is the status line's, if any.
pub fn draw(
    frame: &mut Frame,
    app: &App,
    edit: &Editing,
    message: Option<&Message>,
    chrome: &Chrome,
    keys: &KeyTable,
) {
    draw_in(frame, frame.area(), app, edit, message, chrome, keys);
}

/// As `draw`, within `area` (the fleet monitor keeps a line above it).
pub fn draw_in(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    edit: &Editing,
    message: Option<&Message>,
    chrome: &Chrome,
    keys: &KeyTable,
) {
    let Some(a) = areas(area, app, edit) else {
        too_small(frame, area);
        return;
    };
    header::draw(frame, a.header, app, chrome);
    editing::banners(frame, a.banners, edit, &chrome.palette);
    if app.drain_view().is_some() {
        drain::draw(frame, a.table, app, &chrome.palette, chrome.tz);
    } else if app.view().connections().is_some() {
        connections::draw(frame, a.table, app, &chrome.palette, chrome.tz);
    } else {
        table::draw(frame, a.table, app, &chrome.palette);
        sparks::draw(frame, a.sparks, app, &chrome.palette);
    }
    if app.view().director_panel() {
        director::draw(frame, a.table.union(a.sparks), app, chrome, keys);
    }
    status::draw(frame, a.footer, app, message, &chrome.palette, keys);
    if edit.journal.is_open() {
        journal::draw(frame, a.journal, &edit.journal);
    }
    if let Some(panel) = app.view().settings_panel() {
        // Over the table, the sparklines and the journal: the panel has the keys.
        let under = Rect::new(area.x, a.table.y, area.width, a.footer.y - a.table.y);
        settings::draw(frame, under, app, panel, &chrome.palette, chrome.tz);
    }
    editing::modal(frame, area, edit, &chrome.palette);
    if app.view().help() {
        help::draw(frame, area, keys, &chrome.palette, app.replay().is_some());
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from("Terminal too small"),
        Line::from(format!(
            "{}x{}, need {}x{}",
            area.width, area.height, MIN_WIDTH, MIN_HEIGHT
        )),
        Line::from("q quits"),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let r = Rect::new(area.x, area.y + y, area.width, area.height.min(3));
    frame.render_widget(
        Paragraph::new(text)
            .alignment(ratatui::layout::Alignment::Center)
            .style(Style::default().fg(Color::Yellow)),
        r,
    );
}

/// The fleet monitor's line above each director's screen.
pub fn draw_fleet_strip(
    frame: &mut Frame,
    area: Rect,
    directors: &[(
        &crate::fleet::DirectorName,
        crate::app::fleet_health::Health,
    )],
    current: usize,
    differences: Option<usize>,
    palette: &Palette,
) {
    fleet_strip::draw(frame, area, directors, current, differences, palette);
}

/// The fleet's differences view over `area`.
pub fn draw_differences(
    frame: &mut Frame,
    area: Rect,
    view: &crate::app::view::differences::DifferencesView,
    palette: &Palette,
) {
    differences::draw(frame, area, view, palette);
}

/// The fleet's "to all" dialog over `area`.
pub fn draw_fleet_dialog(
    frame: &mut Frame,
    area: Rect,
    dialog: &crate::app::fleet_change::FleetDialog,
    palette: &Palette,
) {
    fleet_dialog::draw(frame, area, dialog, palette);
}

/// The fleet grouped by virtual service over `area`, from row `first`.
pub fn draw_across(
    frame: &mut Frame,
    area: Rect,
    rows: &[crate::app::fleet_across::AcrossRow],
    first: usize,
) {
    across::draw(frame, area, rows, first);
}
