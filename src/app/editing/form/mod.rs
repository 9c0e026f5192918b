//! The service and real-server forms: every option of `ipvsadm -A/-E` and
//! `-a/-e`. What both share lives here: the fields, the focus, the keys
//! that move and type, the refusal of the last send. Each form's own
//! fields, checks and change are in its file (`service`, `dest`); both are
//! drawn by `draw` inside the dialog frame.
//!
//! Each field is checked through the grammar's own readers and checks
//! (`rules::value`, `rules::build`), against the fields it depends on
//! only, so several fields can carry a message at once, and the form and a
//! rules file can never disagree about what is valid.

mod dest;
mod draw;
mod field;
mod preview;
mod service;
mod start_daemon;
mod stop_daemon;
#[cfg(test)]
mod tests;
mod timeouts;

pub use field::{Field, FieldId, Input};

use crate::model::{Change, Dest, DestKey, Service, ServiceKey, SyncDaemon, Timeouts};

use super::frame::Key;

/// Which form, and for an edit what it edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    AddService,
    EditService(ServiceKey),
    AddDest(ServiceKey),
    EditDest(ServiceKey, DestKey),
    /// `ipvsadm --set`.
    Timeouts,
    /// `ipvsadm --start-daemon` with every option.
    StartDaemon,
    /// `ipvsadm --stop-daemon`.
    StopDaemon,
}

/// A form being filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    kind: Kind,
    fields: Vec<Field>,
    /// The focused field (an index into the visible fields).
    focus: usize,
    /// Every field's value when the form opened: Esc on a form that
    /// differs from it asks before throwing the typing away.
    initial: Vec<String>,
    /// Esc was pressed on a changed form: `y` discards, `n`/Esc goes back.
    pub asking_discard: bool,
    /// Why the last send failed (the kernel's refusal, in words).
    pub refusal: Option<String>,
    /// Sent, waiting for the kernel's answer.
    pub sending: bool,
}

/// What a key did to a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutcome {
    Stay,
    Close,
    /// Send this change; the form stays open, waiting for the answer.
    Send(Change),
}

/// ipvsadm caps weights and thresholds at INT_MAX; lvstop at 65535, as the
/// issue of weight keys and forms asks.
const MAX_WEIGHT: u64 = 65535;

impl Form {
    /// An empty `ipvsadm -A` form with ipvsadm's defaults.
    pub fn add_service() -> Form {
        Form::new(Kind::AddService, service::fields())
    }

    /// An `ipvsadm -E` form holding the service as it is; its identity is
    /// locked.
    pub fn edit_service(s: &Service) -> Form {
        let mut f = Form::add_service();
        f.kind = Kind::EditService(s.key);
        service::read_back(&mut f, s);
        f.opened();
        f
    }

    /// An empty `ipvsadm -a` form for a real server of `service`.
    pub fn add_dest(service: ServiceKey) -> Form {
        Form::new(Kind::AddDest(service), dest::fields())
    }

    /// An `ipvsadm -e` form holding the real server as it is.
    pub fn edit_dest(service: ServiceKey, d: &Dest) -> Form {
        let mut f = Form::add_dest(service);
        f.kind = Kind::EditDest(service, d.key());
        dest::read_back(&mut f, d);
        f.opened();
        f
    }

    /// An `ipvsadm --set` form holding the timeouts as last read (`None`:
    /// not read yet, each 0, which leaves it as it is).
    pub fn timeouts(read: Option<&Timeouts>) -> Form {
        Form::new(Kind::Timeouts, timeouts::fields(read))
    }

    /// An `ipvsadm --start-daemon` form with ipvsadm's defaults, the role
    /// not among the daemons `running` (as last read).
    pub fn start_daemon(running: Option<&Vec<SyncDaemon>>) -> Form {
        Form::new(Kind::StartDaemon, start_daemon::fields(running))
    }

    /// An `ipvsadm --stop-daemon` form, the role running chosen first.
    pub fn stop_daemon(running: Option<&Vec<SyncDaemon>>) -> Form {
        Form::new(Kind::StopDaemon, stop_daemon::fields(running))
    }

    fn new(kind: Kind, fields: Vec<Field>) -> Form {
        let mut f = Form {
            kind,
            fields,
            focus: 0,
            initial: Vec::new(),
            asking_discard: false,
            refusal: None,
            sending: false,
        };
        f.opened();
        f
    }

    /// The form as it opens: checked, focused on the first field that can
    /// be changed, its values kept to tell later whether anything changed.
    fn opened(&mut self) {
        self.validate();
        self.focus = self.visible().iter().position(|f| !f.locked).unwrap_or(0);
        self.initial = self.values();
    }

    fn values(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.value().to_string()).collect()
    }

    /// Whether any field differs from what the form opened with.
    pub fn is_changed(&self) -> bool {
        self.values() != self.initial
    }

    /// A key while the form is open.
    pub fn key(&mut self, key: Key) -> FormOutcome {
        if self.sending {
            // Waiting for the kernel: only Esc (closes; the answer still
            // shows in the status line).
            return match key {
                Key::Esc => FormOutcome::Close,
                _ => FormOutcome::Stay,
            };
        }
        if self.asking_discard {
            return match key {
                Key::Char('y') | Key::Char('Y') => FormOutcome::Close,
                Key::Char('n') | Key::Char('N') | Key::Esc => {
                    self.asking_discard = false;
                    FormOutcome::Stay
                }
                _ => FormOutcome::Stay,
            };
        }
        match key {
            Key::Esc if self.is_changed() => self.asking_discard = true,
            Key::Esc => return FormOutcome::Close,
            Key::Up | Key::BackTab => self.next_field(-1),
            Key::Down | Key::Tab => self.next_field(1),
            Key::Left { .. } => self.cycle(-1),
            Key::Right { .. } => self.cycle(1),
            Key::Backspace => self.backspace(),
            Key::Char(c) => self.type_char(c),
            Key::PageUp | Key::PageDown | Key::Home | Key::End => {}
            Key::Enter => match self.change() {
                Some(change) => {
                    self.sending = true;
                    self.refusal = None;
                    return FormOutcome::Send(change);
                }
                None => self.refusal = Some("fix the marked fields first: nothing was sent".into()),
            },
        }
        FormOutcome::Stay
    }

    pub fn title(&self) -> String {
        match &self.kind {
            Kind::AddService | Kind::EditService(_) => service::title(&self.kind),
            Kind::AddDest(_) | Kind::EditDest(..) => dest::title(&self.kind),
            Kind::Timeouts => timeouts::title(),
            Kind::StartDaemon => start_daemon::title(),
            Kind::StopDaemon => stop_daemon::title(),
        }
    }

    pub fn get(&self, id: FieldId) -> &str {
        self.fields
            .iter()
            .find(|f| f.id == id)
            .map_or("", |f| f.value())
    }

    /// A text field's value without the spaces around it.
    fn text(&self, id: FieldId) -> &str {
        self.get(id).trim()
    }

    fn field_mut(&mut self, id: FieldId) -> &mut Field {
        self.fields
            .iter_mut()
            .find(|f| f.id == id)
            .expect("field of this form")
    }

    /// Sets a field (text, or the choice with that name) and revalidates.
    pub fn set(&mut self, id: FieldId, value: impl Into<String>) {
        let value = value.into();
        let f = self.field_mut(id);
        match &mut f.input {
            Input::Text(s) => *s = value,
            Input::Choice { options, at } => {
                if let Some(i) = options.iter().position(|o| *o == value) {
                    *at = i;
                }
            }
        }
        self.validate();
    }

    fn lock(&mut self, ids: &[FieldId]) {
        for id in ids {
            self.field_mut(*id).locked = true;
        }
    }

    /// The fields that apply to what is chosen so far, in screen order.
    pub fn visible(&self) -> Vec<&Field> {
        self.fields.iter().filter(|f| self.applies(f.id)).collect()
    }

    fn applies(&self, id: FieldId) -> bool {
        match self.kind {
            Kind::AddService | Kind::EditService(_) => service::applies(self, id),
            Kind::AddDest(_) | Kind::EditDest(..) => dest::applies(self, id),
            Kind::Timeouts | Kind::StartDaemon | Kind::StopDaemon => true,
        }
    }

    pub fn focused(&self) -> Option<FieldId> {
        self.visible().get(self.focus).map(|f| f.id)
    }

    /// Tab/↓ (1) and Shift+Tab/↑ (-1): to the next field that can be
    /// changed; fixed ones are passed over.
    pub fn next_field(&mut self, delta: isize) {
        let visible = self.visible();
        let n = visible.len() as isize;
        let mut at = self.focus as isize;
        for _ in 0..n {
            at = (at + delta).rem_euclid(n);
            if !visible[at as usize].locked {
                self.focus = at as usize;
                return;
            }
        }
    }

    /// Typing into the focused field (text fields; a choice ignores it).
    pub fn type_char(&mut self, c: char) {
        let Some(id) = self.focused() else { return };
        let f = self.field_mut(id);
        if f.locked {
            return;
        }
        match &mut f.input {
            Input::Text(s) => s.push(c),
            Input::Choice { .. } => {
                if c == ' ' {
                    return self.cycle(1);
                }
            }
        }
        self.refusal = None;
        self.validate();
    }

    pub fn backspace(&mut self) {
        let Some(id) = self.focused() else { return };
        let f = self.field_mut(id);
        if f.locked {
            return;
        }
        if let Input::Text(s) = &mut f.input {
            s.pop();
        }
        self.refusal = None;
        self.validate();
    }

    /// ←/→ on a choice.
    pub fn cycle(&mut self, delta: isize) {
        let Some(id) = self.focused() else { return };
        let f = self.field_mut(id);
        if f.locked {
            return;
        }
        if let Input::Choice { options, at } = &mut f.input {
            *at = (*at as isize + delta).rem_euclid(options.len() as isize) as usize;
        }
        self.refusal = None;
        self.validate();
        // The set of visible fields may have changed under the focus.
        self.focus = self.focus.min(self.visible().len().saturating_sub(1));
    }

    pub fn is_valid(&self) -> bool {
        self.fields
            .iter()
            .filter(|f| self.applies(f.id))
            .all(|f| f.error.is_none())
    }

    /// The change this form asks for, once every field is valid.
    pub fn change(&self) -> Option<Change> {
        if !self.is_valid() {
            return None;
        }
        match self.kind {
            Kind::AddService | Kind::EditService(_) => service::change(self),
            Kind::AddDest(_) | Kind::EditDest(..) => dest::change(self),
            Kind::Timeouts => timeouts::change(self),
            Kind::StartDaemon => start_daemon::change(self),
            Kind::StopDaemon => stop_daemon::change(self),
        }
    }

    /// The preview line: the exact ipvsadm command once valid, else what
    /// is missing or wrong (`needs: virtual address, port`).
    pub fn command_line(&self) -> String {
        match self.change() {
            Some(c) => crate::output::command_line(&c),
            None => preview::missing(self),
        }
    }

    /// Checks every visible field; sets or clears its message.
    pub fn validate(&mut self) {
        let errors = match self.kind {
            Kind::AddService | Kind::EditService(_) => service::errors(self),
            Kind::AddDest(_) | Kind::EditDest(..) => dest::errors(self),
            Kind::Timeouts => timeouts::errors(self),
            Kind::StartDaemon => start_daemon::errors(self),
            Kind::StopDaemon => Vec::new(),
        };
        for f in &mut self.fields {
            f.error = errors
                .iter()
                .find(|(id, _)| *id == f.id)
                .map(|(_, e)| e.clone());
        }
    }
}

/// Each field's first message, in the order the fields are checked.
#[derive(Default)]
struct Errors(Vec<(FieldId, String)>);

impl Errors {
    fn note(&mut self, id: FieldId, message: impl ToString) {
        if !self.0.iter().any(|(i, _)| *i == id) {
            self.0.push((id, message.to_string()));
        }
    }

    fn has(&self, id: FieldId) -> bool {
        self.0.iter().any(|(i, _)| *i == id)
    }
}

/// Checks no grammar rule makes about one field: required fields, port
/// numbers (the grammar reads them joined to an address), lvstop's 0-65535
/// range for weights and thresholds. `None` when the value may go on to
/// the grammar's checks.
fn own_check(id: FieldId, v: &str) -> Option<String> {
    let number = |max: u64| {
        v.bytes().all(|b| b.is_ascii_digit()) && v.parse::<u64>().is_ok_and(|n| n <= max)
    };
    match id {
        FieldId::Port | FieldId::ServerPort if !v.is_empty() && !number(65535) => {
            Some(format!("a port number from 0 to 65535, not `{v}'"))
        }
        FieldId::Upper | FieldId::Lower if v.is_empty() => None,
        FieldId::Address | FieldId::Mark | FieldId::Server if v.is_empty() => {
            Some("required".into())
        }
        FieldId::Port if v.is_empty() => Some("required (0 with persistence: any port)".into()),
        FieldId::TunPort if v.is_empty() => Some("required for gue tunnels".into()),
        FieldId::Weight | FieldId::Upper | FieldId::Lower if !number(MAX_WEIGHT) => {
            Some(format!("a whole number from 0 to {MAX_WEIGHT}, not `{v}'"))
        }
        _ => None,
    }
}

/// The form's words for an address the grammar cannot read: the grammar's
/// own message would name a port the operator did not type.
fn not_an_address(v: &str) -> String {
    format!("not an IPv4 or IPv6 address: `{v}'")
}
