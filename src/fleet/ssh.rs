//! Reaching a director: the system's `ssh`, never a shell, with options that
//! keep it from hanging (BatchMode, timeouts), reuse its connections, and a
//! host string checked so it can never be read as an ssh option.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::process::Command;

/// `[USER@]HOST[:PORT]`, as `--host` or a fleet entry gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub user: Option<String>,
    /// A host name, an IPv4 address, or an IPv6 address without brackets.
    pub host: String,
    pub port: Option<u16>,
    /// The network namespace the agent reads there (`--netns` on its side).
    pub netns: Option<String>,
}

impl Target {
    /// Parses and checks a host string; the error names `flag` (`--host`).
    pub fn parse(s: &str, flag: &str) -> Result<Target, String> {
        let bad = |why: &str| Err(format!("{flag} {}: {why}", shown(s)));
        if s.is_empty() {
            return bad("empty");
        }
        if s.len() > 300 {
            return bad("longer than 300 bytes");
        }
        if s.starts_with('-') {
            return bad("a host cannot start with '-' (ssh would read it as an option)");
        }
        let (user, rest) = match s.rsplit_once('@') {
            Some((u, r)) => (Some(u), r),
            None => (None, s),
        };
        if let Some(u) = user {
            if u.is_empty() || u.starts_with('-') || !u.chars().all(user_char) {
                return bad("the user may hold letters, digits, '.', '_' and '-', not first");
            }
        }
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            let Some((addr, after)) = inner.split_once(']') else {
                return bad("an IPv6 address opened with '[' is not closed");
            };
            if addr.parse::<std::net::Ipv6Addr>().is_err() {
                return bad("not an IPv6 address between the brackets");
            }
            match after {
                "" => (addr, None),
                p => match p.strip_prefix(':') {
                    Some(p) => (addr, Some(p)),
                    None => return bad("expected :PORT after the ']'"),
                },
            }
        } else {
            match rest.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            }
        };
        if host.is_empty() {
            return bad("no host name");
        }
        if !rest.starts_with('[') && (host.starts_with(['-', '.']) || !host.chars().all(host_char))
        {
            return bad(
                "a host name holds letters, digits, '.', '_' and '-' only (IPv6: [ADDR]:PORT)",
            );
        }
        let port = match port {
            None => None,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => Some(n),
                _ => return bad("the port must be a number from 1 to 65535"),
            },
        };
        Ok(Target {
            user: user.map(str::to_string),
            host: host.to_string(),
            port,
            netns: None,
        })
    }
}

impl fmt::Display for Target {
    /// The host as the operator wrote it (the director's name on screen).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(u) = &self.user {
            write!(f, "{u}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

fn user_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

fn host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// A host string in an error message: control characters shown escaped.
fn shown(s: &str) -> String {
    format!("'{}'", s.escape_debug())
}

/// How lvstop starts the agents.
#[derive(Debug, Clone)]
pub struct SshOptions {
    /// `ssh` unless a test says otherwise.
    pub program: OsString,
    /// `--ssh-config`: passed as `-F`.
    pub config: Option<PathBuf>,
    /// The lvstop to run on the director (`--remote-lvstop`, default `lvstop`).
    pub remote_lvstop: String,
    /// Where ssh keeps its shared connections (`ControlPath`); None: no sharing.
    pub control_dir: Option<PathBuf>,
    /// Seconds between readings, passed to the agent as `-d`.
    pub delay: f64,
    /// Passes `--read-only` to every agent.
    pub read_only: bool,
}

impl SshOptions {
    /// Defaults: `ssh`, `lvstop`, connections shared under $XDG_RUNTIME_DIR when set.
    pub fn new(delay: f64, read_only: bool) -> SshOptions {
        let control_dir = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|d| d.is_absolute() && d.is_dir());
        SshOptions {
            program: "ssh".into(),
            config: None,
            remote_lvstop: "lvstop".into(),
            control_dir,
            delay,
            read_only,
        }
    }

    /// Checks `--remote-lvstop`: a path or command name, never an option.
    pub fn check_remote(path: &str) -> Result<(), String> {
        if path.is_empty() || path.starts_with('-') || path.chars().any(char::is_control) {
            return Err(format!(
                "--remote-lvstop {}: a command name or path, not starting with '-', without control characters",
                shown(path)
            ));
        }
        Ok(())
    }

    /// The ssh command that runs `lvstop agent` on `target`, speaking the
    /// protocol on its stdin and stdout.
    pub fn command(&self, target: &Target) -> Command {
        let mut c = Command::new(&self.program);
        for o in [
            "BatchMode=yes",
            "ConnectTimeout=10",
            "ServerAliveInterval=5",
            "ServerAliveCountMax=3",
        ] {
            c.arg("-o").arg(o);
        }
        if let Some(dir) = &self.control_dir {
            c.arg("-o").arg("ControlMaster=auto");
            let mut path = OsString::from("ControlPath=");
            path.push(dir.join("lvstop-ssh-%C"));
            c.arg("-o").arg(path);
            c.arg("-o").arg("ControlPersist=60");
        }
        if let Some(f) = &self.config {
            c.arg("-F").arg(f);
        }
        if let Some(u) = &target.user {
            c.arg("-l").arg(u);
        }
        if let Some(p) = target.port {
            c.arg("-p").arg(p.to_string());
        }
        c.arg("--")
            .arg(&target.host)
            .arg(self.remote_command(target));
        c
    }

    /// The remote command line, each word quoted for the remote shell.
    pub fn remote_command(&self, target: &Target) -> String {
        let mut words = vec![self.remote_lvstop.clone()];
        if let Some(ns) = &target.netns {
            words.push("--netns".into());
            words.push(ns.clone());
        }
        if self.read_only {
            words.push("--read-only".into());
        }
        words.push("-d".into());
        words.push(format!("{}", self.delay));
        words.push("agent".into());
        words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
    }
}

/// One word for a POSIX shell: single-quoted, quotes inside escaped.
fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-=".contains(c))
    {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_strings() {
        let t = Target::parse("root@lb1.example.net:2222", "--host").unwrap();
        assert_eq!(t.user.as_deref(), Some("root"));
        assert_eq!(t.host, "lb1.example.net");
        assert_eq!(t.port, Some(2222));
        assert_eq!(t.to_string(), "root@lb1.example.net:2222");
        let t = Target::parse("[2001:db8::1]:22", "--host").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("2001:db8::1", Some(22)));
        assert_eq!(t.to_string(), "[2001:db8::1]:22");
        assert_eq!(Target::parse("lb2", "--host").unwrap().to_string(), "lb2");
    }

    #[test]
    fn a_host_never_becomes_an_ssh_option() {
        for (bad, want) in [
            ("-oProxyCommand=touch /tmp/x", "cannot start with '-'"),
            ("root@-oProxyCommand=x", "letters, digits"),
            ("-lroot", "cannot start with '-'"),
            ("-x@lb1", "cannot start with '-'"),
            ("lb1 -o x", "letters, digits"),
            ("lb1;reboot", "letters, digits"),
            ("lb1\u{1b}[2J", "letters, digits"),
            ("lb1:0", "port"),
            ("lb1:99999", "port"),
            ("[::1", "not closed"),
            ("[zz]:2", "IPv6"),
            ("", "empty"),
            ("a@", "no host name"),
        ] {
            let e = Target::parse(bad, "--host").unwrap_err();
            assert!(e.starts_with("--host "), "{bad}: {e}");
            assert!(e.contains(want), "{bad}: {e}");
            assert!(!e.contains('\u{1b}'), "{e}");
        }
    }

    #[test]
    fn the_command_puts_the_host_after_double_dash() {
        let mut o = SshOptions::new(1.0, true);
        o.control_dir = Some("/run/user/1000".into());
        o.config = Some("/etc/lvstop/ssh_config".into());
        o.remote_lvstop = "/opt/lv stop/lvstop".into();
        let mut t = Target::parse("ops@lb1:2222", "--host").unwrap();
        t.netns = Some("director".into());
        let c = o.command(&t);
        let args: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let dash = args.iter().position(|a| a == "--").unwrap();
        assert_eq!(args[dash + 1], "lb1");
        assert_eq!(
            args[dash + 2],
            "'/opt/lv stop/lvstop' --netns director --read-only -d 1 agent"
        );
        for want in [
            "BatchMode=yes",
            "ControlMaster=auto",
            "ControlPath=/run/user/1000/lvstop-ssh-%C",
            "ControlPersist=60",
            "ServerAliveInterval=5",
        ] {
            assert!(args[..dash].iter().any(|a| a == want), "{want}: {args:?}");
        }
        assert_eq!(
            &args[..dash][args.len() - 3 - 6..],
            ["-F", "/etc/lvstop/ssh_config", "-l", "ops", "-p", "2222"]
        );
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
