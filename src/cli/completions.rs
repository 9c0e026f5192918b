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
    out.write_all(&script)?;
    out.flush()
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
    fn bash_registers_the_lvstop_function() {
        assert!(script(Shell::Bash).contains("complete -F _lvstop"));
    }
}
