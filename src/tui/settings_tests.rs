//! The kernel settings on the whole monitor: the panel (`K`) over readings
//! as the owner thread reports them, and the warnings where they bite (the
//! delete confirmation, the rates banner).

use std::time::Duration;

use crate::app::store::SettingsReading;
use crate::app::DirectorReading;
use crate::clock::Clock;
use crate::model::VsSettings;
use crate::poll::Report;

use super::tests::{snapshot_all, Harness};

/// Reports a reading of the sample table's settings, changed by `change`,
/// made two seconds before the last poll.
fn report_settings(h: &mut Harness, change: impl FnOnce(&mut VsSettings)) {
    let mut values = h.fake.inner().settings;
    change(&mut values);
    report(h, Ok(values));
}

fn report(h: &mut Harness, result: Result<VsSettings, String>) {
    let reading = SettingsReading {
        at: h.clock.now(),
        wall: h.clock.wall() - Duration::from_secs(2),
        result,
    };
    h.monitor.report(Report::Settings(Box::new(reading)));
}

#[test]
fn settings_panel() {
    // conn_reuse_mode=0 sends reused ports back to the drained 10.1.0.5;
    // a kernel built without conntrack support has no conntrack setting.
    snapshot_all("settings_panel", |h| {
        h.ticks(3);
        report_settings(h, |s| {
            s.conn_reuse_mode = Some(0);
            s.conntrack = None;
        });
        h.keys("K");
    });
}

#[test]
fn settings_panel_end() {
    snapshot_all("settings_panel_end", |h| {
        h.ticks(3);
        report_settings(h, |_| {});
        h.keys("K<End>");
    });
}

#[test]
fn the_panel_says_when_nothing_was_read_and_why_a_reading_failed() {
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    let screen = {
        h.keys("K");
        h.screen()
    };
    assert!(screen.contains("not read yet"), "{screen}");
    assert!(screen.contains("expire_nodest_conn"), "{screen}");
    report(
        &mut h,
        Err("cannot read /proc/sys/net/ipv4/vs/amemthresh: Permission denied\x1b[2J".into()),
    );
    let screen = h.screen();
    assert!(
        screen.contains("cannot read: cannot read /proc/sys/net/ipv4/vs/amemthresh"),
        "{screen}"
    );
    assert!(
        !screen.contains('\x1b'),
        "no control character reaches the screen"
    );
    // A good reading, then a failed one: the values stay, with the failure.
    report_settings(&mut h, |_| {});
    report(&mut h, Err("gone".into()));
    let screen = h.screen();
    assert!(screen.contains("cannot read: gone"), "{screen}");
    assert!(screen.contains("1024"), "amemthresh still shown:\n{screen}");
}

#[test]
fn the_panel_asks_for_a_reading_and_keeps_the_table_keys_away() {
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    assert!(!h.monitor.app.take_settings_request());
    h.keys("K");
    assert!(h.monitor.app.view().settings_panel().is_some());
    assert!(
        h.monitor.app.take_settings_request(),
        "opening asks for a reading"
    );
    assert!(!h.monitor.app.take_settings_request(), "once");
    // The table's edit keys do nothing under the panel.
    h.keys("<Enter>jd");
    assert!(h.monitor.edit.modal.is_none());
    h.keys("x");
    assert!(h.monitor.take_requests().is_empty());
    h.keys("<Esc>");
    assert!(h.monitor.app.view().settings_panel().is_none());
    h.keys("KK");
    assert!(
        h.monitor.app.view().settings_panel().is_none(),
        "K closes it too"
    );
}

/// Selects the first real server of the first service (10.1.0.1:80,
/// weight 3, 310 active and 1200 inactive connections).
fn select_first_real_server(h: &mut Harness) {
    h.keys("<Enter>j");
}

#[test]
fn deleting_a_real_server_warns_while_expire_nodest_conn_is_0() {
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    report_settings(&mut h, |_| {});
    select_first_real_server(&mut h);
    h.keys("d");
    let screen = h.screen();
    assert!(
        screen.contains("Delete real server 10.1.0.1:80"),
        "{screen}"
    );
    assert!(
        screen.contains("Its 1510 connections are blackholed"),
        "{screen}"
    );
    assert!(screen.contains("until each entry times out."), "{screen}");
    assert!(screen.contains("expire_nodest_conn=1 would"), "{screen}");
    h.keys("n");

    // With the timeouts read (the director panel's reading), it says them.
    let reading = DirectorReading {
        wall: h.clock.wall(),
        timeouts: Ok(h.fake.inner().timeouts),
        daemons: Ok(Vec::new()),
    };
    h.monitor.report(Report::Director(reading));
    h.keys("d");
    let screen = h.screen();
    assert!(
        screen.contains("tcp 900 s, tcpfin 120 s, udp 300 s"),
        "{screen}"
    );
    h.keys("n");

    report_settings(&mut h, |s| s.expire_nodest_conn = Some(1));
    h.keys("d");
    let screen = h.screen();
    assert!(
        screen.contains("Delete real server 10.1.0.1:80"),
        "{screen}"
    );
    assert!(!screen.contains("blackholed"), "{screen}");
}

#[test]
fn the_rates_banner_follows_run_estimation_and_the_polls() {
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    report_settings(&mut h, |s| s.run_estimation = Some(0));
    let screen = h.screen();
    assert!(
        screen.contains("⚠ Rates read 0 and counters stand still"),
        "{screen}"
    );
    report_settings(&mut h, |_| {});
    assert!(!h.screen().contains("Rates read 0"));
}
