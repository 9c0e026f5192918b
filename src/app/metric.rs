//! What the sparkline panes plot.

/// Sparkline metric, cycled with `m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    #[default]
    Cps,
    Active,
    InPps,
    OutPps,
    InBps,
    OutBps,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::Cps,
        Metric::Active,
        Metric::InPps,
        Metric::OutPps,
        Metric::InBps,
        Metric::OutBps,
    ];

    pub fn next(self) -> Metric {
        let i = Metric::ALL.iter().position(|m| *m == self).unwrap_or(0);
        Metric::ALL[(i + 1) % Metric::ALL.len()]
    }

    /// ipvsadm's column word.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Cps => "CPS",
            Metric::Active => "ActiveConn",
            Metric::InPps => "InPPS",
            Metric::OutPps => "OutPPS",
            Metric::InBps => "InBPS",
            Metric::OutBps => "OutBPS",
        }
    }
}
