//! Where a real server's weight change stands, for the weight cell. The
//! canvas picks the glyph and colour; this says only what happened.

/// The state of the weight presses on one real server this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightMark {
    /// A write is in flight, or presses wait for one.
    Pending,
    /// Every press so far is applied.
    Applied,
    /// The last write failed, for this reason.
    Failed { reason: String },
}
