//! The kernel client's exact-read cursor: its files read on a walk thread,
//! the file kept open between slices (backend cannot name kernel, so this
//! lives here).

use std::ops::ControlFlow;

use lvstop::backend::{ConnCursor, WalkThread};
use lvstop::kernel::{conn_file, ConnFiles};
use lvstop::model::ConnSource;

fn take(cursor: &mut dyn ConnCursor, n: usize) -> (Vec<u16>, bool) {
    let mut got = Vec::new();
    let walk = cursor
        .resume(&mut |c| {
            got.push(c.client.port());
            if got.len() == n {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    (got, walk.complete)
}

#[test]
fn the_kernel_files_resume_on_a_walk_thread() {
    let dir = std::env::temp_dir().join(format!("lvstop-cursor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ip_vs_conn_sync");
    let mut text = String::from_utf8(conn_file::header(ConnSource::WithOrigin).to_vec()).unwrap();
    text.push('\n');
    for port in 1..=500u16 {
        text.push_str(&format!(
            "TCP C6336402 {port:04X} C633640A 0050 C000020B 0050 ESTABLISHED LOCAL      898\n"
        ));
    }
    std::fs::write(&path, text).unwrap();
    let mut files = ConnFiles::at(&path, &path).fresh();
    let mut cursor =
        WalkThread::spawn(move |visit| files.walk(ConnSource::WithOrigin, visit)).unwrap();
    let (first, _) = take(&mut cursor, 100);
    let (rest, complete) = take(&mut cursor, usize::MAX);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(first, (1..=100).collect::<Vec<_>>());
    assert_eq!(rest, (101..=500).collect::<Vec<_>>());
    assert!(complete);
}
