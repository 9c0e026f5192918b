//! Entries counted by the state the kernel printed (`ESTABLISHED`, `UDP`, …).

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::model::Token;

/// Counts by state, in the order states were first seen. The kernel names
/// fewer than 30 states (TCP, SCTP, `UDP`, `NONE`); a hostile table could
/// name more, so distinct states are capped and the rest counted in `other`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateCounts {
    by_state: Vec<(Token, u64)>,
    other: u64,
}

impl StateCounts {
    /// Distinct states kept by name.
    pub const MAX_STATES: usize = 32;

    pub fn add(&mut self, state: Token) {
        self.add_n(state, 1);
    }

    pub fn add_n(&mut self, state: Token, n: u64) {
        if let Some((_, c)) = self.by_state.iter_mut().find(|(s, _)| *s == state) {
            *c += n;
        } else if self.by_state.len() < Self::MAX_STATES {
            self.by_state.push((state, n));
        } else {
            self.other += n;
        }
    }

    /// Entries counted past the cap, as a recording kept them.
    pub fn add_other(&mut self, n: u64) {
        self.other = self.other.saturating_add(n);
    }

    /// The count of one state (0 when never seen).
    pub fn get(&self, state: &str) -> u64 {
        self.by_state
            .iter()
            .find(|(s, _)| s.as_str() == state)
            .map_or(0, |(_, c)| *c)
    }

    /// States and counts, in the order first seen.
    pub fn iter(&self) -> impl Iterator<Item = (Token, u64)> + '_ {
        self.by_state.iter().copied()
    }

    /// Entries whose state was past the cap of distinct names.
    pub fn other(&self) -> u64 {
        self.other
    }

    pub fn total(&self) -> u64 {
        self.by_state.iter().map(|(_, c)| c).sum::<u64>() + self.other
    }

    pub fn merge(&mut self, other: &StateCounts) {
        for (s, c) in other.iter() {
            self.add_n(s, c);
        }
        self.other += other.other;
    }
}

/// A JSON object `{"ESTABLISHED": 3, …}` (states past the cap as `"other"`).
impl Serialize for StateCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let extra = usize::from(self.other > 0);
        let mut map = s.serialize_map(Some(self.by_state.len() + extra))?;
        for (state, count) in &self.by_state {
            map.serialize_entry(state.as_str(), count)?;
        }
        if self.other > 0 {
            map.serialize_entry("other", &self.other)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Token {
        Token::new(s).unwrap()
    }

    #[test]
    fn counts_by_state_in_first_seen_order() {
        let mut c = StateCounts::default();
        for s in ["TIME_WAIT", "ESTABLISHED", "TIME_WAIT", "UDP"] {
            c.add(t(s));
        }
        let seen: Vec<_> = c.iter().map(|(s, n)| (s.as_str().to_string(), n)).collect();
        assert_eq!(
            seen,
            [
                ("TIME_WAIT".to_string(), 2),
                ("ESTABLISHED".to_string(), 1),
                ("UDP".to_string(), 1)
            ]
        );
        assert_eq!(c.get("TIME_WAIT"), 2);
        assert_eq!(c.get("SYN_RECV"), 0);
        assert_eq!(c.total(), 4);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"TIME_WAIT":2,"ESTABLISHED":1,"UDP":1}"#
        );
    }

    #[test]
    fn distinct_states_past_the_cap_count_as_other() {
        let mut c = StateCounts::default();
        for i in 0..StateCounts::MAX_STATES + 5 {
            c.add(t(&format!("S{i}")));
        }
        c.add(t("S0"));
        assert_eq!(c.iter().count(), StateCounts::MAX_STATES);
        assert_eq!(c.other(), 5);
        assert_eq!(c.get("S0"), 2);
        assert_eq!(c.total(), StateCounts::MAX_STATES as u64 + 6);
        let mut m = StateCounts::default();
        m.merge(&c);
        assert_eq!(m, c);
    }
}
