//! What the editing keys ask for, whichever key the key table binds to
//! them.

/// An editing command from the key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditCommand {
    /// Weight up or down by this much (real server; in tuning mode, the
    /// real server tuned).
    Nudge(i64),
    /// Enter tuning mode on the selected real server.
    Tune,
    /// In tuning mode: weight 0.
    TuneDrain,
    /// Leave tuning mode.
    TuneDone,
    /// Open the exact-weight dialog (real server).
    ExactWeight,
    /// Drain and watch the drain (real server with a weight), or restore
    /// the weight drained.
    Drain,
    /// In the drain view, on the watch under the cursor: restore its
    /// weight; remove when drained on or off; set a deadline; stop
    /// watching.
    DrainRestore,
    DrainRemoveWhenDrained,
    DrainDeadline,
    DrainStop,
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
    /// The director panel's forms: `ipvsadm --set`, `--start-daemon`,
    /// `--stop-daemon`.
    SetTimeouts,
    StartDaemon,
    StopDaemon,
}

impl EditCommand {
    /// Whether tuning mode stays on through this command: the weight keys
    /// do; every other key leaves the mode first, so nothing is stuck.
    pub fn keeps_tuning(self) -> bool {
        matches!(
            self,
            EditCommand::Nudge(_) | EditCommand::Tune | EditCommand::TuneDrain
        )
    }
}
