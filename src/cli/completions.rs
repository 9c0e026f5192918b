//! `lvstop completions SHELL`: the shell's completion script, generated
//! from the live clap definition so every flag any slice adds is in it.

use std::io::Write;

use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell as Generator;

use super::Args;

/// The shells the Debian package ships scripts for (and the tests load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    fn generator(self) -> Generator {
        match self {
            Shell::Bash => Generator::Bash,
            Shell::Zsh => Generator::Zsh,
            Shell::Fish => Generator::Fish,
        }
    }
}

/// Writes `shell`'s completion script for lvstop to `out`.
pub fn write(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = Args::command();
    // clap_complete writes to a Vec in memory first: it panics on write
    // errors, and a closed pipe must be an error in words instead.
    let mut script = Vec::new();
    clap_complete::generate(shell.generator(), &mut cmd, "lvstop", &mut script);
    if shell == Shell::Fish {
        fish_positional_values(&cmd, &mut script)?;
    }
    out.write_all(&script)?;
    out.flush()
}

/// clap_complete's fish script completes options' values but not a
/// subcommand's positional ones (`lvstop completions <Tab>` offered files).
fn fish_positional_values(cmd: &clap::Command, script: &mut Vec<u8>) -> std::io::Result<()> {
    for sub in cmd.get_subcommands() {
        for arg in sub.get_positionals() {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if !values.is_empty() {
                writeln!(
                    script,
                    "complete -c lvstop -n \"__fish_lvstop_using_subcommand {}\" -f -a \"{}\"",
                    sub.get_name(),
                    values.join(" ")
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(shell: Shell) -> String {
        let mut out = Vec::new();
        write(shell, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_script_names_flags_and_subcommands() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let s = script(shell);
            for word in ["format", "netns", "read-only", "apply", "completions"] {
                assert!(s.contains(word), "{shell:?} lacks {word}");
            }
        }
    }

    #[test]
    fn fish_completes_the_shells_after_completions() {
        assert!(script(Shell::Fish).contains(
            "complete -c lvstop -n \"__fish_lvstop_using_subcommand completions\" -f -a \"bash zsh fish\""
        ));
    }

    #[test]
    fn bash_registers_the_lvstop_function() {
        assert!(script(Shell::Bash).contains("complete -F _lvstop"));
    }
}
