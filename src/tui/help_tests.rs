//! The help overlay on the whole monitor: any key closes it, `q` included,
//! and F1 / F10 open it and quit as in htop.

use super::tests::Harness;

#[test]
fn q_in_help_closes_help_and_does_not_quit() {
    // 120x40: at 80x24 the overlay's last line falls below the screen.
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    h.keys("?");
    assert!(h.monitor.app.view().help());
    assert!(h.screen().contains("any key closes"));
    h.keys("q");
    assert!(!h.monitor.app.view().help());
    assert!(!h.monitor.app.view().quit(), "q under help must not quit");
    assert!(!h.screen().contains("any key closes"));
    // Any other key too, and it does nothing else: the selection stays.
    h.keys("?j");
    assert!(!h.monitor.app.view().help());
    assert_eq!(h.monitor.app.view().selected(), 0);
}

#[test]
fn f1_opens_help_and_f10_quits() {
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    h.keys("<F1>");
    assert!(h.monitor.app.view().help());
    h.keys("<F1>");
    assert!(!h.monitor.app.view().help(), "F1 under help closes it");
    h.keys("<F10>");
    assert!(h.monitor.app.view().quit());
}

#[test]
fn help_and_footer_show_remapped_keys() {
    let remapped = || {
        crate::keys::KeyTable::default()
            .remapped([("quit", "Q"), ("filter", "ctrl-f"), ("help", "F2")])
            .unwrap()
    };
    super::tests::snapshot_all("help_remapped", |h| {
        h.monitor.keys = remapped();
        h.ticks(2);
        assert!(
            h.screen().contains("F2/F1 help"),
            "footer follows the remap"
        );
        h.keys("<F2>");
    });
}
