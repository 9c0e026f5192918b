//! The monitor's state: everything here is pure and unit-tested; the view
//! only reads it and the event loop only feeds it.

pub mod rates;
