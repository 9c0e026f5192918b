//! What the UI and the owner thread say to each other: the only way they
//! talk.

use crate::app::editing::{Reply, Request, UndoNext};
use crate::app::replay::{CursorMove, ReplayStatus};
use crate::app::store::SettingsReading;
use crate::app::{DirectorReading, Event};
use crate::conns::{ConnEvent, ConnRequest};
use crate::journal::OpenDrain;
use crate::model::ServiceKey;

/// What the owner thread sends the UI.
#[derive(Debug, Clone)]
pub enum Report {
    Poll(Event),
    Edit(Reply),
    /// The journal's latest entries, one line each.
    Journal(Vec<String>),
    /// What `u` would undo now (None: nothing).
    Undo(Option<UndoNext>),
    /// Why changes are refused right now (an unwritable journal), or None.
    Disabled(Option<String>),
    /// The connection table: the view's reading, an exact read's progress,
    /// the half-open counts, or a failure in words.
    Connections(ConnEvent),
    /// The timeouts and sync daemons, read every few seconds and after a
    /// change of them.
    Director(DirectorReading),
    /// Drain watches the journal says a previous lvstop left open (sent
    /// once, at start): the monitor offers to resume them.
    DrainsLeftOpen(Vec<OpenDrain>),
    /// The kernel's `net.ipv4.vs.*` settings, or why they could not be read.
    /// (Boxed: two dozen settings would make every report that large.)
    Settings(Box<SettingsReading>),
    /// A replay jumped: forget the data; the recording up to the cursor
    /// follows as polls.
    Rewind,
    /// Where a replay's cursor is now, and what it said.
    Replay(ReplayStatus),
}

/// What the UI sends the owner thread.
#[derive(Debug, Clone)]
pub(super) enum Command {
    /// The services whose real servers the operator is looking at now: the
    /// next poll reads them first.
    Watch(Vec<ServiceKey>),
    /// A change to carry out (read-write owners only).
    Do(Request),
    /// The connections view opened, moved, closed, or asked for an exact read.
    Connections(ConnRequest),
    /// The settings panel opened: read the kernel's settings now.
    ReadSettings,
    /// A replay's time cursor moves (replay owners only).
    Cursor(CursorMove),
    Stop,
}
