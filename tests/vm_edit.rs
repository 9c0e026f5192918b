//! Every kind of change lvstop sends, against its ipvsadm-equivalent line, on real kernels
//! (6.1 and 6.12) in the test VM: for each change, a fresh copy of tests/golden/table.rules
//! gets the ipvsadm line (`output::command_line`, as the forms and the journal show it), and
//! another fresh copy gets the same change sent by lvstop through its journaling editor
//! (`lvstop apply`); `ipvsadm -Sn`, `--thresholds` and `--tun-info` must then read the same.
//! The changes are built the way the monitor builds them: forms, the scheduler picker, the
//! weight keys' read-modify-write, drain, deletes, zeroing.

mod support;

use lvstop::app::editing::{FieldId, Form};
use lvstop::edit::restorable_dest;
use lvstop::model::{Change, Dest, DestKey, Protocol, Service, ServiceKey, TunnelFlags};
use lvstop::output;
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

fn tcp(a: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: a.parse().unwrap(),
        port,
    }
}

fn form(mut f: Form, fields: &[(FieldId, &str)]) -> Change {
    for (id, v) in fields {
        f.set(*id, *v);
    }
    f.change()
        .unwrap_or_else(|| panic!("form not valid: {f:?}"))
}

/// The table.rules real server as the kernel holds it, for read-modify-write changes.
fn golden_dest(
    addr: &str,
    port: u16,
    forward: lvstop::model::Forward,
    weight: u32,
    x: u32,
    y: u32,
) -> Dest {
    let mut d = Dest::new(addr.parse().unwrap(), port);
    d.forward = forward;
    d.weight = weight;
    d.upper_threshold = x;
    d.lower_threshold = y;
    d
}

fn changes() -> Vec<Change> {
    use FieldId::*;
    let web = tcp("192.0.2.1", 80);
    let mut v = vec![
        // `A`: the service form, every option.
        form(
            Form::add_service(),
            &[
                (Protocol, "udp"),
                (Address, "198.51.100.200"),
                (Port, "53"),
                (Scheduler, "lblc"),
                (Persistence, "30"),
                (Netmask, "255.255.255.0"),
            ],
        ),
        form(
            Form::add_service(),
            &[
                (Protocol, "fwmark"),
                (FieldId::Family, "ipv6"),
                (Mark, "42"),
                (Scheduler, "rr"),
            ],
        ),
        form(
            Form::add_service(),
            &[
                (Protocol, "udp"),
                (Address, "192.0.2.30"),
                (Port, "4500"),
                (Scheduler, "sh"),
                (SchedFlags, "sh-port"),
                (OnePacket, "yes"),
            ],
        ),
        form(
            Form::add_service(),
            &[
                (Protocol, "udp"),
                (Address, "192.0.2.31"),
                (Port, "5060"),
                (Persistence, "60"),
                (Engine, "sip"),
            ],
        ),
        form(
            Form::add_service(),
            &[
                (Protocol, "sctp"),
                (Address, "2001:db8::99"),
                (Port, "3868"),
                (Persistence, "90"),
                (Netmask, "/64"),
            ],
        ),
        // `a`: the real-server form: masq with thresholds, GUE and GRE tunnels.
        form(
            Form::add_dest(web),
            &[
                (Server, "198.51.100.13"),
                (ServerPort, "8081"),
                (Forward, "masq"),
                (Weight, "7"),
                (Upper, "50"),
                (Lower, "5"),
            ],
        ),
        form(
            Form::add_dest(tcp("192.0.2.6", 80)),
            &[
                (Server, "198.51.100.73"),
                (Forward, "tunnel"),
                (TunType, "gue"),
                (TunPort, "6090"),
                (Checksum, "remcsum"),
            ],
        ),
        form(
            Form::add_dest(tcp("192.0.2.7", 80)),
            &[
                (Server, "198.51.100.84"),
                (Forward, "tunnel"),
                (TunType, "gre"),
                (Checksum, "csum"),
                (Weight, "9"),
            ],
        ),
        // `s`: the picker keeps everything but the scheduler.
        Change::EditService({
            let mut s = Service::new(web, "wlc");
            s.netmask = 0xffff_ffff;
            s
        }),
        // `D`, `d`, `Z`.
        Change::DeleteService(ServiceKey::Addr {
            protocol: lvstop::model::Protocol::Udp,
            addr: "192.0.2.3".parse().unwrap(),
            port: 53,
        }),
        Change::DeleteDest {
            service: web,
            dest: DestKey {
                addr: "198.51.100.11".parse().unwrap(),
                port: 80,
            },
        },
        Change::Zero(Some(web)),
        Change::Zero(None),
        Change::DeleteService(ServiceKey::Fwmark {
            family: lvstop::model::Family::V6,
            mark: 2,
        }),
    ];
    // `E` on the persistent service: a new timeout and mask.
    let mut e = Form::edit_service(&{
        let mut s = Service::new(tcp("192.0.2.2", 443), "wlc");
        s.flags.0 = lvstop::model::ServiceFlags::PERSISTENT;
        s.timeout = 600;
        s.netmask = 0xffff_ff00;
        s
    });
    e.set(Persistence, "900");
    e.set(Netmask, "255.255.0.0");
    v.push(e.change().unwrap());
    // → / Shift / `w` / `x`: read-modify-write keeps forwarding and thresholds.
    let current = golden_dest(
        "198.51.100.12",
        8080,
        lvstop::model::Forward::Masq,
        3,
        100,
        10,
    );
    for weight in [4, 13, 0, 65535] {
        v.push(Change::EditDest {
            service: web,
            dest: Dest {
                weight,
                ..restorable_dest(&current)
            },
        });
    }
    // `e` on a GUE tunnel server: new checksum mode and weight.
    let mut gue = golden_dest("198.51.100.72", 80, lvstop::model::Forward::Tunnel, 1, 0, 0);
    gue.tun_type = lvstop::model::TunnelType::Gue;
    gue.tun_port = 6080;
    gue.tun_flags = TunnelFlags(TunnelFlags::CSUM);
    let mut f = Form::edit_dest(tcp("192.0.2.6", 80), &gue);
    f.set(Checksum, "nocsum");
    f.set(Weight, "20");
    f.set(Upper, "1000");
    v.push(f.change().unwrap());
    v
}

#[test]
fn every_change_matches_its_ipvsadm_line() {
    let Some(vm) = vm_or_skip("vm_edit::every_change_matches_its_ipvsadm_line") else {
        return;
    };
    let changes = changes();
    let mut cases = String::new();
    for (i, c) in changes.iter().enumerate() {
        let line = output::command_line(c);
        let rule = output::rule(c);
        cases.push_str(&format!(
            "check {i} '{}' '{}'\n",
            line.replace('\'', ""),
            rule.replace('\'', "")
        ));
    }
    let script = format!(
        r#"set -uo pipefail
set -f  # [v6]:port words are not globs
L={LVSTOP}
. vm/labs/table.sh
table_net
failed=0
fresh() {{ ipvsadm -C; ipvsadm -R < tests/golden/table.rules; }}
judge() {{ ipvsadm -Sn; ipvsadm -Ln --thresholds; ipvsadm -Ln --tun-info 2>&1; }}
check() {{
    fresh; $2 || {{ echo "IPVSADM-REFUSED $1: $2"; failed=1; }}; judge > /tmp/a
    fresh; echo "$3" | $L --journal /tmp/journal.jsonl apply 2>/tmp/err || {{ echo "LVSTOP-REFUSED $1: $(cat /tmp/err)"; failed=1; }}
    judge > /tmp/b
    if diff -u /tmp/a /tmp/b; then echo "SAME $1"; else echo "DIFFERS $1: $2"; failed=1; fi
}}
{cases}
# every change is in the journal: an intent and a result line each
echo "JOURNAL $(wc -l < /tmp/journal.jsonl) $(grep -c '"answer":"ok"' /tmp/journal.jsonl)"
exit $failed
"#
    );
    // Both kernels at once (the VM support caps concurrent VMs per test binary).
    std::thread::scope(|scope| {
        for k in kernels() {
            let (vm, script, changes) = (&vm, &script, &changes);
            scope.spawn(move || {
                let out = vm.run(k, script);
                let n = changes.len();
                assert!(
                    out.stdout.contains(&format!("JOURNAL {} {n}", 2 * n)),
                    "kernel {k}: {}\n{}",
                    out.stdout,
                    out.stderr
                );
                out.assert_ok();
                for (i, change) in changes.iter().enumerate() {
                    assert!(
                        out.stdout.contains(&format!("SAME {i}\n")),
                        "kernel {k}: case {i}: {}\n{}",
                        output::command_line(change),
                        out.stdout
                    );
                }
            });
        }
    });
}
