//! `lvstop man [COMMAND]`: manual pages in roff, generated from the live
//! clap definition. Section 8: lvstop is installed in /usr/sbin, as an
//! administrator's command (IPVS needs CAP_NET_ADMIN even to read).

use std::io::Write;

use clap::CommandFactory;
use clap_mangen::Man;

use super::Args;

pub const SECTION: &str = "8";

/// The root command, built (so subcommands carry their `lvstop-NAME`
/// display names), without clap's implicit `help` subcommand, which has no
/// page.
fn root() -> clap::Command {
    let mut cmd = Args::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The pages lvstop has: `lvstop`, then `lvstop-NAME` for each subcommand
/// (the SUBCOMMANDS section of lvstop(8) refers to them by those names).
pub fn page_names() -> Vec<String> {
    let root = root();
    let mut names = vec![root.get_name().to_string()];
    names.extend(
        root.get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| format!("{}-{}", root.get_name(), s.get_name())),
    );
    names
}

/// Writes the page for `command` (None: lvstop(8) itself) to `out`; an
/// unknown command is refused with the ones there are.
pub fn write(command: Option<&str>, out: &mut dyn Write) -> Result<(), Error> {
    let root = root();
    let cmd = match command {
        None => root,
        Some(name) => root
            .get_subcommands()
            .find(|s| !s.is_hide_set() && s.get_name() == name)
            .cloned()
            .ok_or_else(|| Error::NoSuchCommand(name.to_string()))?,
    };
    let mut page = Vec::new();
    // Every page's footer names lvstop and its version (a subcommand has none of its own).
    Man::new(cmd)
        .section(SECTION)
        .source(format!("lvstop {}", env!("CARGO_PKG_VERSION")))
        .render(&mut page)?;
    out.write_all(&page)?;
    out.flush()?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("lvstop has no command '{}' (its pages: {})", .0.escape_debug(), page_names().join(", "))]
    NoSuchCommand(String),
    #[error("writing to standard output failed: {0}")]
    Output(#[from] std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(command: Option<&str>) -> String {
        let mut out = Vec::new();
        write(command, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn root_page_is_section_8_with_options_and_subcommands() {
        let p = page(None);
        assert!(p.contains(".TH lvstop 8"));
        assert!(p.contains("\\-\\-format"));
        assert!(p.contains("lvstop\\-apply(8)"));
    }

    #[test]
    fn every_listed_page_renders() {
        let names = page_names();
        assert_eq!(names[0], "lvstop");
        assert!(names.contains(&"lvstop-apply".to_string()));
        assert!(!names.contains(&"lvstop-help".to_string()));
        for name in &names[1..] {
            let sub = name.strip_prefix("lvstop-").unwrap();
            let p = page(Some(sub));
            let title = format!(".TH {name} 8  \"lvstop {}\"", env!("CARGO_PKG_VERSION"));
            assert!(p.contains(&title), "{name}: {p}");
        }
    }

    #[test]
    fn unknown_command_is_refused_with_the_pages() {
        let e = write(Some("nope\x1b"), &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'nope\\u{1b}'") && e.contains("lvstop-apply"),
            "{e}"
        );
    }
}
