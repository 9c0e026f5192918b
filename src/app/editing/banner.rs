//! Warnings shown above the table. Each kind says how long it stays: the
//! text is only rendered from it, never matched.

use std::fmt;

const KEEPALIVED: &str = "keepalived is running: its configuration may overwrite manual changes";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Banner {
    /// keepalived runs here and may put its configuration back; it stays
    /// for the session.
    Keepalived,
    /// Changes are refused (an unwritable journal), in the owner's words;
    /// each report on the journal replaces it.
    ChangesDisabled { why: String },
    /// A kernel setting biting what the monitor shows (the rates while
    /// run_estimation=0), in the warnings' words; it stays while it bites.
    Setting { warning: String },
    /// `--record` stopped (a full or failing disk, a writer fallen
    /// behind); the monitor goes on, the banner stays.
    RecordingStopped { why: String },
}

impl fmt::Display for Banner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Banner::Keepalived => f.write_str(KEEPALIVED),
            Banner::ChangesDisabled { why } => f.write_str(why),
            Banner::Setting { warning } => f.write_str(warning),
            Banner::RecordingStopped { why } => write!(f, "recording stopped: {why}"),
        }
    }
}

/// Puts the owner's latest word on whether changes are refused in place of
/// the one before.
pub fn set_changes_disabled(banners: &mut Vec<Banner>, why: Option<String>) {
    banners.retain(|b| !matches!(b, Banner::ChangesDisabled { .. }));
    if let Some(why) = why {
        banners.push(Banner::ChangesDisabled { why });
    }
}

/// Puts the settings' warnings in force in place of those before.
pub fn set_setting_warnings(banners: &mut Vec<Banner>, warnings: Vec<String>) {
    banners.retain(|b| !matches!(b, Banner::Setting { .. }));
    banners.extend(
        warnings
            .into_iter()
            .map(|warning| Banner::Setting { warning }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_report_replaces_the_last_and_keeps_keepalived() {
        let mut banners = vec![Banner::Keepalived];
        set_changes_disabled(&mut banners, Some("changes are disabled: a".into()));
        set_changes_disabled(&mut banners, Some("changes are disabled: b".into()));
        let text: Vec<String> = banners.iter().map(|b| b.to_string()).collect();
        assert_eq!(text, [KEEPALIVED, "changes are disabled: b"]);
        set_changes_disabled(&mut banners, None);
        assert_eq!(banners, [Banner::Keepalived]);
    }

    #[test]
    fn setting_warnings_replace_their_own_kind_only() {
        let mut banners = vec![Banner::Keepalived];
        set_setting_warnings(&mut banners, vec!["a".into(), "b".into()]);
        set_setting_warnings(&mut banners, vec!["c".into()]);
        let text: Vec<String> = banners.iter().map(|b| b.to_string()).collect();
        assert_eq!(text, [KEEPALIVED, "c"]);
        set_setting_warnings(&mut banners, vec![]);
        assert_eq!(banners, [Banner::Keepalived]);
    }
}
