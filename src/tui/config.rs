//! `~/.config/lvstop/config.toml`: the monitor's defaults. Small on purpose;
//! command-line flags override it. Unknown keys are refused so a typo does
//! not silently do nothing.
//!
//! ```toml
//! delay = 1.0        # seconds between polls (-d/--delay)
//! history = 300      # seconds of sparkline history
//! utc = false        # clock times in UTC instead of local time
//!
//! [colors]           # names (green, lightred, ...), "#rrggbb" or 0-255
//! spark = "green"
//! changed = "cyan"
//! alert = "red"
//! warn = "yellow"
//! badge = "cyan"
//!
//! [keys]             # action name = key (see crate::keys::remap)
//! quit = "Q"
//! filter = "ctrl-f"
//! help = "F2"
//!
//! [fleet.edge]       # `lvstop --fleet edge`: directors over ssh
//! hosts = ["lb1", "ops@lb2:2222", { host = "lb3", netns = "director" }]
//! netns = "vs"       # the namespace read on every host without its own
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use ratatui::style::Color;
use serde::Deserialize;

use super::MonitorOptions;
use crate::canvas::{Palette, TimeZone};
use crate::keys::KeyTable;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub delay: Option<f64>,
    pub history: Option<f64>,
    pub utc: Option<bool>,
    #[serde(default)]
    pub colors: Colors,
    /// Action name to key, remapping the key table.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// Named groups of directors for `--fleet NAME`.
    #[serde(default)]
    pub fleet: BTreeMap<String, FleetGroup>,
}

/// `[fleet.NAME]`: the directors `lvstop --fleet NAME` reaches over ssh.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetGroup {
    pub hosts: Vec<FleetHost>,
    /// The namespace read on each host that names none of its own.
    pub netns: Option<String>,
}

/// A host of a fleet: `"[USER@]HOST[:PORT]"` or `{ host = "...", netns = "..." }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum FleetHost {
    Name(String),
    Detailed(FleetHostEntry),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetHostEntry {
    pub host: String,
    pub netns: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    pub spark: Option<String>,
    pub changed: Option<String>,
    pub alert: Option<String>,
    pub warn: Option<String>,
    pub badge: Option<String>,
}

/// Shortest and longest poll interval accepted.
pub const MIN_DELAY: f64 = 0.1;
pub const MAX_DELAY: f64 = 3600.0;

impl Config {
    /// `$XDG_CONFIG_HOME/lvstop/config.toml`, else `~/.config/lvstop/config.toml`.
    pub fn default_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("lvstop").join("config.toml"))
    }

    /// Reads the file; a missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<Config, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let c: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        if let Some(d) = c.delay {
            if !(MIN_DELAY..=MAX_DELAY).contains(&d) {
                return Err(format!(
                    "delay {d} is outside {MIN_DELAY} to {MAX_DELAY} seconds"
                ));
            }
        }
        if let Some(h) = c.history {
            if !(1.0..=86_400.0).contains(&h) {
                return Err(format!("history {h} is outside 1 to 86400 seconds"));
            }
        }
        c.palette()?;
        c.key_table()?;
        Ok(c)
    }

    /// The palette, defaults where unset.
    pub fn palette(&self) -> Result<Palette, String> {
        let mut p = Palette::default();
        for (slot, value, key) in [
            (&mut p.spark, &self.colors.spark, "spark"),
            (&mut p.changed, &self.colors.changed, "changed"),
            (&mut p.alert, &self.colors.alert, "alert"),
            (&mut p.warn, &self.colors.warn, "warn"),
            (&mut p.badge, &self.colors.badge, "badge"),
        ] {
            if let Some(v) = value {
                *slot = Color::from_str(v)
                    .map_err(|_| format!("colors.{key}: unknown colour {v:?}"))?;
            }
        }
        Ok(p)
    }

    /// The key table with `[keys]` remapped.
    pub fn key_table(&self) -> Result<KeyTable, String> {
        KeyTable::default().remapped(self.keys.iter().map(|(a, k)| (a.as_str(), k.as_str())))
    }

    /// Applies the file's settings as defaults to `options` (flags parsed
    /// later override them).
    pub fn apply(&self, options: &mut MonitorOptions) {
        if let Some(d) = self.delay {
            options.delay = Duration::from_secs_f64(d);
        }
        if let Some(h) = self.history {
            options.history = Duration::from_secs_f64(h);
        }
        if let Some(u) = self.utc {
            options.tz = if u { TimeZone::Utc } else { TimeZone::Local };
        }
        if let Ok(p) = self.palette() {
            options.palette = p;
        }
        if let Ok(k) = self.key_table() {
            options.keys = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_applies() {
        let c = Config::parse(
            "delay = 0.5\nhistory = 600\nutc = true\n[colors]\nspark = \"#00ff00\"\nalert = \"lightred\"\n",
        )
        .unwrap();
        let mut o = MonitorOptions::default();
        c.apply(&mut o);
        assert_eq!(o.delay, Duration::from_millis(500));
        assert_eq!(o.history, Duration::from_secs(600));
        assert_eq!(o.tz, TimeZone::Utc);
        assert_eq!(o.palette.spark, Color::Rgb(0, 255, 0));
        assert_eq!(o.palette.alert, Color::LightRed);
        assert_eq!(o.palette.changed, Palette::default().changed);
    }

    #[test]
    fn refuses_typos_and_nonsense() {
        assert!(Config::parse("dealy = 1").is_err());
        assert!(Config::parse("delay = 0").is_err());
        assert!(Config::parse("[colors]\nspark = \"greenish\"").is_err());
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn keys_are_remapped_or_refused() {
        let c = Config::parse("[keys]\nquit = \"Q\"\nfilter = \"ctrl-f\"\n").unwrap();
        let mut o = MonitorOptions::default();
        c.apply(&mut o);
        let hints = o.keys.footer(false);
        assert!(hints.contains(&("Q/F10".to_string(), "quit")), "{hints:?}");
        assert!(
            hints.contains(&("Ctrl-F".to_string(), "filter")),
            "{hints:?}"
        );
        assert_eq!(
            Config::parse("[keys]\nquit = \"f\"").unwrap_err(),
            "keys.quit: \"f\" is already the key of freeze"
        );
        assert!(Config::parse("[keys]\nquitt = \"Q\"")
            .unwrap_err()
            .starts_with("keys.quitt: unknown action"));
        assert!(Config::parse("[keys]\nquit = \"F42\"")
            .unwrap_err()
            .starts_with("keys.quit: \"F42\" is not a key"));
    }

    #[test]
    fn missing_file_is_empty() {
        let c = Config::load(Path::new("/nonexistent/lvstop/config.toml")).unwrap();
        assert_eq!(c, Config::default());
    }
}
