//! The Debian package from `tools/package-deb`, built from this build's lvstop binary:
//! `dpkg-deb --info/--contents` show the control fields and every file; `lintian` reports no
//! error or warning (the one override it ships is listed in README's Install section); and it
//! installs for real with `apt-get install ./lvstop_….deb` in a scratch root (an overlay on the
//! host's `/` in a private mount namespace, so the host is untouched), where the installed
//! `lvstop --version` answers, `man` finds every page, bash-completion's loader, zsh's compinit
//! and fish find the completions where the package put them, and `dpkg -r` removes it all.
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::host_tools::{present_or_skip, skip};

const BUILD_TOOLS: &[&str] = &["dpkg-deb", "dpkg-shlibdeps", "strip", "gzip"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The version `lvstop --version` reports, as the package must carry it.
fn binary_version() -> String {
    let v = run(Command::new(env!("CARGO_BIN_EXE_lvstop")).arg("--version"));
    v.trim().strip_prefix("lvstop ").unwrap().to_string()
}

const FIXTURE_UNIT: &str = "lvstop-package-test.service";
const FIXTURE: &str = "[Unit]
Description=lvstop package test: a unit written for a hand install
Documentation=man:lvstop(1)

[Service]
ExecStart=/usr/bin/lvstop -b -n 1

[Install]
WantedBy=multi-user.target
";

/// The .deb, built once per test binary from the lvstop this build made.
fn package() -> &'static Path {
    static DEB: OnceLock<PathBuf> = OnceLock::new();
    DEB.get_or_init(|| {
        // In target/, replaced by the next run, rather than left behind in /tmp.
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("package-deb");
        let _ = std::fs::remove_dir_all(&out);
        let assets = out.join("assets");
        std::fs::create_dir_all(&assets).unwrap();
        // The repository's units, and one written for a hand install (/usr/bin, lvstop(1)) that the
        // package must point at its own /usr/sbin/lvstop and lvstop(8).
        for unit in std::fs::read_dir(repo().join("assets")).unwrap() {
            let path = unit.unwrap().path();
            if path
                .extension()
                .is_some_and(|e| e == "service" || e == "timer")
            {
                std::fs::copy(&path, assets.join(path.file_name().unwrap())).unwrap();
            }
        }
        std::fs::write(assets.join(FIXTURE_UNIT), FIXTURE).unwrap();
        let printed = run(Command::new(repo().join("tools/package-deb"))
            .args(["--binary", env!("CARGO_BIN_EXE_lvstop"), "--out"])
            .arg(&out)
            .arg("--assets")
            .arg(&assets));
        let deb = PathBuf::from(printed.trim());
        let want = format!("lvstop_{}-1_", binary_version());
        assert!(
            deb.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(&want),
            "{deb:?}"
        );
        deb
    })
}

#[test]
fn package_shows_its_fields_and_files() {
    if !present_or_skip("package_shows_its_fields_and_files", BUILD_TOOLS) {
        return;
    }
    let deb = package();
    let info = run(Command::new("dpkg-deb").arg("--info").arg(deb));
    for field in [
        "Package: lvstop",
        &format!("Version: {}-1", binary_version()),
        "Section: admin",
        "Description: top for IPVS",
    ] {
        assert!(info.contains(field), "{field} missing:\n{info}");
    }
    // dpkg-shlibdeps' answer: the glibc the binary's symbols need, never unversioned.
    let depends = info
        .lines()
        .find_map(|l| l.trim().strip_prefix("Depends: "))
        .unwrap_or_else(|| panic!("no Depends:\n{info}"));
    assert!(depends.contains("libc6 (>= 2."), "{depends}");

    let contents = run(Command::new("dpkg-deb").arg("--contents").arg(deb));
    let files: Vec<(&str, &str)> = contents
        .lines()
        .filter(|l| !l.starts_with('d'))
        .map(|l| {
            let mode = l.split_whitespace().next().unwrap();
            (mode, l.rsplit(' ').next().unwrap())
        })
        .collect();
    for (mode, path) in [
        ("-rwxr-xr-x", "./usr/sbin/lvstop"),
        ("-rw-r--r--", "./usr/share/man/man8/lvstop.8.gz"),
        ("-rw-r--r--", "./usr/share/man/man8/lvstop-apply.8.gz"),
        ("-rw-r--r--", "./usr/share/man/man8/lvstop-completions.8.gz"),
        ("-rw-r--r--", "./usr/share/man/man8/lvstop-man.8.gz"),
        (
            "-rw-r--r--",
            "./usr/share/bash-completion/completions/lvstop",
        ),
        ("-rw-r--r--", "./usr/share/zsh/vendor-completions/_lvstop"),
        (
            "-rw-r--r--",
            "./usr/share/fish/vendor_completions.d/lvstop.fish",
        ),
        ("-rw-r--r--", "./usr/share/doc/lvstop/copyright"),
        ("-rw-r--r--", "./usr/share/doc/lvstop/changelog.Debian.gz"),
        ("-rw-r--r--", "./usr/share/lintian/overrides/lvstop"),
        (
            "-rw-r--r--",
            "./usr/lib/systemd/system/lvstop-package-test.service",
        ),
    ] {
        assert!(
            files.contains(&(mode, path)),
            "{mode} {path} missing:\n{contents}"
        );
    }
    assert!(
        contents.lines().all(|l| l.contains(" root/root ")),
        "{contents}"
    );
}

#[test]
fn lintian_reports_no_error_or_warning() {
    let test = "lintian_reports_no_error_or_warning";
    if !present_or_skip(test, BUILD_TOOLS) || !present_or_skip(test, &["lintian"]) {
        return;
    }
    let out = Command::new("lintian")
        .args(["--fail-on", "error,warning", "--display-level", ">=warning"])
        .arg(package())
        .output()
        .unwrap();
    let tags = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && !tags
                .lines()
                .any(|l| l.starts_with("E:") || l.starts_with("W:")),
        "lintian: {}\n{tags}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs inside the scratch root, as root; each check prints one line the test reads.
const INSIDE: &str = r#"
set -e
cd /var/cache/lvstop-test
apt-get install -y -q --no-install-recommends ./"$1" >apt.log 2>&1 || { cat apt.log; exit 1; }
echo "path: $(command -v lvstop)"
echo "version: $(lvstop --version)"
for page in $(lvstop man --list); do echo "man: $page $(man -w "$page")"; done
echo "rendered: $(MANWIDTH=80 man lvstop 2>&1 | grep -c -- --format)"
bash --norc -c '. /usr/share/bash-completion/bash_completion; _completion_loader lvstop
  echo "bash: $(complete -p lvstop)"
  COMP_WORDS=(lvstop --for); COMP_CWORD=1; _lvstop lvstop --for lvstop; echo "bash-flag: ${COMPREPLY[*]}"'
zsh -f -c 'autoload -U compinit; compinit -u -D; print -r -- "zsh: ${_comps[lvstop]}"'
XDG_CONFIG_HOME=/tmp/fish XDG_DATA_HOME=/tmp/fish fish -c 'complete -C "lvstop --for"' | sed 's/^/fish: /'
grep -E '^(ExecStart|Documentation)=' /usr/lib/systemd/system/lvstop-package-test.service | sed 's/^/unit: /'
dpkg -r lvstop >dpkg-r.log 2>&1 || { cat dpkg-r.log; exit 1; }
test -e /usr/sbin/lvstop || echo "removed: /usr/sbin/lvstop"
test -e /usr/share/man/man8/lvstop.8.gz || echo "removed: lvstop.8.gz"
"#;

/// A private mount namespace with an overlay of `/` (writes go to a tmpfs), chrooted into.
const SCRATCH_ROOT: &str = r#"
set -e
deb=$1
ov=$3
mount -t tmpfs tmpfs "$ov"
mkdir "$ov/up" "$ov/work" "$ov/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$ov/up,workdir=$ov/work" "$ov/root"
r=$ov/root
mount -t proc proc "$r/proc"
mount --rbind /dev "$r/dev"
mount -t tmpfs tmpfs "$r/tmp"
mount -t tmpfs tmpfs "$r/run"
mkdir -p "$r/var/cache/lvstop-test"
cp "$deb" "$2" "$r/var/cache/lvstop-test/"
chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb \
    DEBIAN_FRONTEND=noninteractive bash /var/cache/lvstop-test/inside.sh "$(basename "$deb")"
"#;

#[test]
fn package_installs_and_removes_in_a_scratch_root() {
    let test = "package_installs_and_removes_in_a_scratch_root";
    let tools = ["unshare", "apt-get", "man", "bash", "zsh", "fish"];
    if !present_or_skip(test, BUILD_TOOLS) || !present_or_skip(test, &tools) {
        return;
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        skip(
            test,
            "installing into a scratch root needs root (mount namespaces, overlayfs)",
        );
        return;
    }
    for needed in [
        "/usr/share/bash-completion/bash_completion",
        "/usr/share/man/man1/man.1.gz",
    ] {
        if !Path::new(needed).exists() {
            skip(
                test,
                &format!("{needed} missing (vm/setup installs bash-completion, man-db)"),
            );
            return;
        }
    }
    let host_had_lvstop = Path::new("/usr/sbin/lvstop").exists();
    let deb = package();
    let inside = deb.with_file_name("inside.sh");
    std::fs::write(&inside, INSIDE).unwrap();
    // The overlay's tmpfs is mounted on it only inside the namespace: on the host it stays empty.
    let mount_point = deb.with_file_name("scratch-root");
    std::fs::create_dir_all(&mount_point).unwrap();
    let out = run(Command::new("unshare")
        .args([
            "--mount",
            "--fork",
            "bash",
            "-c",
            SCRATCH_ROOT,
            "scratch-root",
        ])
        .arg(deb)
        .arg(&inside)
        .arg(&mount_point));
    let version = binary_version();
    let mut want = vec![
        "path: /usr/sbin/lvstop".to_string(),
        format!("version: lvstop {version}"),
        "bash: complete -o bashdefault -o default -o nosort -F _lvstop lvstop".into(),
        "bash-flag: --format".into(),
        "zsh: _lvstop".into(),
        "fish: --format\tBatch output format".into(),
        "removed: /usr/sbin/lvstop".into(),
        "removed: lvstop.8.gz".into(),
        "unit: Documentation=man:lvstop(8)".into(),
        "unit: ExecStart=/usr/sbin/lvstop -b -n 1".into(),
    ];
    for page in ["lvstop", "lvstop-apply", "lvstop-completions", "lvstop-man"] {
        want.push(format!("man: {page} /usr/share/man/man8/{page}.8.gz"));
    }
    let lines: Vec<&str> = out.lines().collect();
    for line in &want {
        assert!(lines.contains(&line.as_str()), "{line:?} missing:\n{out}");
    }
    let rendered = lines
        .iter()
        .find_map(|l| l.strip_prefix("rendered: "))
        .and_then(|n| n.parse::<u32>().ok());
    assert!(
        rendered.is_some_and(|n| n > 0),
        "man lvstop shows no --format:\n{out}"
    );
    assert_eq!(
        Path::new("/usr/sbin/lvstop").exists(),
        host_had_lvstop,
        "the host's /usr/sbin changed"
    );
}
