//! What the editing keys ask for, whichever key the key table binds to
//! them.

/// An editing command from the key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditCommand {
    /// Weight up or down by this much (real server).
    Nudge(i64),
    /// Open the exact-weight dialog (real server).
    ExactWeight,
    /// Drain, or restore the weight drained (real server).
    Drain,
    AddService,
    /// Add a real server to the selected service.
    AddDest,
    EditService,
    EditDest,
    DeleteService,
    DeleteDest,
    /// Open the scheduler picker (service).
    Scheduler,
    /// Zero the selected service's counters, or all.
    Zero,
    /// Undo this session's last change.
    Undo,
    /// Open or close the journal pane; the only one allowed read-only.
    Journal,
}
