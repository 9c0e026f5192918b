use super::*;
use std::os::unix::fs::symlink;

/// A fresh directory of its own per test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lvstop-output-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn reading(out: &mut OutputFile, text: &str) {
    out.write_all(text.as_bytes()).unwrap();
    out.flush().unwrap();
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn each_reading_replaces_the_file_whole() {
    let dir = scratch("replace");
    let target = dir.join("lvstop.prom");
    let mut out = OutputFile::open(&target).unwrap();
    assert_eq!(
        entries(&dir),
        Vec::<String>::new(),
        "open leaves nothing behind"
    );
    reading(&mut out, "first\nreading\n");
    assert_eq!(fs::read_to_string(&target).unwrap(), "first\nreading\n");
    out.write_all(b"second, in ").unwrap();
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        "first\nreading\n",
        "not yet"
    );
    reading(&mut out, "two writes\n");
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        "second, in two writes\n"
    );
    reading(&mut out, "");
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        "",
        "an empty reading is one too"
    );
    assert_eq!(entries(&dir), ["lvstop.prom"]);
}

#[test]
fn a_reading_cut_short_leaves_the_last_whole_one() {
    let dir = scratch("cut");
    let target = dir.join("lvstop.prom");
    let mut out = OutputFile::open(&target).unwrap();
    reading(&mut out, "whole\n");
    out.write_all(b"half of a rea").unwrap();
    drop(out);
    assert_eq!(fs::read_to_string(&target).unwrap(), "whole\n");
    assert_eq!(entries(&dir), ["lvstop.prom"], "the temporary is gone");
}

#[test]
fn the_existing_files_mode_is_kept_and_a_new_one_gets_the_umasks() {
    let dir = scratch("mode");
    let target = dir.join("lvstop.prom");
    fs::write(&target, "old").unwrap();
    fs::set_permissions(&target, Permissions::from_mode(0o640)).unwrap();
    let mut out = OutputFile::open(&target).unwrap();
    reading(&mut out, "new\n");
    let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640);

    let fresh = dir.join("fresh.prom");
    let mut out = OutputFile::open(&fresh).unwrap();
    reading(&mut out, "new\n");
    let made = fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    // As `touch` would make it: 0666 less the umask.
    let touched = dir.join("touched");
    File::create(&touched).unwrap();
    let want = fs::metadata(&touched).unwrap().permissions().mode() & 0o777;
    assert_eq!(made, want);
}

#[test]
fn a_symlink_planted_at_the_temporary_is_never_followed() {
    let dir = scratch("plant-temp");
    let victim = dir.join("victim");
    fs::write(&victim, "precious").unwrap();
    let target = dir.join("lvstop.prom");
    let out = OutputFile::open(&target).unwrap();
    symlink(&victim, &out.temp_path).unwrap();
    let mut out = out;
    reading(&mut out, "metrics\n");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(fs::read_to_string(&target).unwrap(), "metrics\n");
    assert!(!fs::symlink_metadata(&target)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn a_symlink_at_the_file_is_replaced_not_written_through() {
    let dir = scratch("plant-target");
    let victim = dir.join("victim");
    fs::write(&victim, "precious").unwrap();
    let target = dir.join("lvstop.prom");
    symlink(&victim, &target).unwrap();
    let mut out = OutputFile::open(&target).unwrap();
    reading(&mut out, "metrics\n");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!fs::symlink_metadata(&target)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&target).unwrap(), "metrics\n");
}

#[test]
fn bad_paths_are_refused_naming_the_flag() {
    let dir = scratch("bad");
    let missing = dir.join("nowhere/lvstop.prom");
    for (path, want) in [
        (dir.clone(), "is a directory"),
        (
            PathBuf::from(format!("{}/", dir.display())),
            "give a file name",
        ),
        (missing, "does not exist"),
        (PathBuf::from("/"), "give a file name"),
    ] {
        let e = OutputFile::open(&path).err().unwrap();
        assert!(e.starts_with("--output "), "{e}");
        assert!(e.contains(want), "{path:?}: {e}");
    }
    let link = dir.join("to-dir");
    symlink(&dir, &link).unwrap();
    let e = OutputFile::open(&link).err().unwrap();
    assert!(e.contains("is a directory"), "{e}");
}

#[test]
fn a_directory_it_cannot_write_is_said_before_reading() {
    // /proc takes no new file, from root either.
    let e = OutputFile::open(Path::new("/proc/lvstop.prom"))
        .err()
        .unwrap();
    assert!(
        e.starts_with("--output ") && e.contains("cannot create"),
        "{e}"
    );
}
