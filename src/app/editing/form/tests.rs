//! The forms' checks: each bad value refused on its own field, valid forms
//! giving their change and its ipvsadm line.

use super::*;
use crate::model::{Protocol, ServiceFlags};

/// Fields to set, the field that must carry the message, words of it.
type Case<'a> = (&'a [(FieldId, &'a str)], FieldId, &'a str);

fn web() -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "192.0.2.10".parse().unwrap(),
        port: 80,
    }
}

/// A valid service form, then one field set to a bad value: the
/// message sits on that field (containing `words`) and no change comes
/// out of the form.
#[test]
fn service_fields_refuse_bad_values() {
    use FieldId::*;
    let base: &[(FieldId, &str)] = &[(Address, "192.0.2.50"), (Port, "80")];
    let table: &[Case] = &[
        (&[(Address, "")], Address, "required"),
        (
            &[(Address, "192.0.2.256")],
            Address,
            "not an IPv4 or IPv6 address",
        ),
        (
            &[(Address, "192.0.2")],
            Address,
            "not an IPv4 or IPv6 address",
        ),
        (
            &[(Address, "lb.example")],
            Address,
            "not an IPv4 or IPv6 address",
        ),
        (
            &[(Address, "2001:db8::1::2")],
            Address,
            "not an IPv4 or IPv6 address",
        ),
        (&[(Port, "")], Port, "required"),
        (&[(Port, "65536")], Port, "0 to 65535"),
        (&[(Port, "http")], Port, "0 to 65535"),
        (&[(Port, "-1")], Port, "0 to 65535"),
        (
            &[(Port, "0")],
            Port,
            "Zero port specified for non-persistent service",
        ),
        (&[(Persistence, "0")], Persistence, "invalid timeout value"),
        (
            &[(Persistence, "2678401")],
            Persistence,
            "invalid timeout value",
        ),
        (&[(Persistence, "5m")], Persistence, "invalid timeout value"),
        (
            &[(Persistence, "60"), (Netmask, "255.0.255.0")],
            Netmask,
            "non-contiguous",
        ),
        (
            &[(Persistence, "60"), (Netmask, "/24")],
            Netmask,
            "illegal virtual server persistent mask",
        ),
        (
            &[
                (Address, "2001:db8::5"),
                (Persistence, "60"),
                (Netmask, "129"),
            ],
            Netmask,
            "1 to 128",
        ),
        (
            &[(SchedFlags, "sh-port")],
            SchedFlags,
            "incompatible scheduler flag",
        ),
        (
            &[(SchedFlags, "flag-9")],
            SchedFlags,
            "invalid scheduler flag",
        ),
        (&[(OnePacket, "yes")], OnePacket, "only for UDP"),
        (&[(Protocol, "fwmark"), (Mark, "")], Mark, "required"),
        (
            &[(Protocol, "fwmark"), (Mark, "0")],
            Mark,
            "invalid fwmark value",
        ),
        (
            &[(Protocol, "fwmark"), (Mark, "4294967296")],
            Mark,
            "invalid fwmark value",
        ),
    ];
    refuses_each(Form::add_service, base, table);
}

#[test]
fn dest_fields_refuse_bad_values() {
    use FieldId::*;
    let base: &[(FieldId, &str)] = &[(Server, "10.0.0.2")];
    let table: &[Case] = &[
        (&[(Server, "")], Server, "required"),
        (
            &[(Server, "10.0.0.300")],
            Server,
            "not an IPv4 or IPv6 address",
        ),
        (
            &[(Server, "2001:db8::2")],
            Forward,
            "Different address family",
        ),
        (&[(ServerPort, "70000")], ServerPort, "0 to 65535"),
        (&[(Weight, "65536")], Weight, "0 to 65535"),
        (&[(Weight, "")], Weight, "0 to 65535"),
        (&[(Weight, "-3")], Weight, "0 to 65535"),
        (&[(Upper, "65536")], Upper, "0 to 65535"),
        (&[(Lower, "x")], Lower, "0 to 65535"),
        (
            &[(Upper, "5"), (Lower, "9")],
            Lower,
            "above upper threshold",
        ),
        (
            &[(Forward, "tunnel"), (TunType, "gue")],
            TunPort,
            "required for gue",
        ),
        (
            &[(Forward, "tunnel"), (TunType, "gue"), (TunPort, "0")],
            TunPort,
            "illegal tunnel port",
        ),
        (
            &[(Forward, "tunnel"), (TunType, "gre"), (Checksum, "remcsum")],
            Checksum,
            "Illegal 'tun-remcsum' option with the 'gre' tunnel type",
        ),
    ];
    refuses_each(|| Form::add_dest(web()), base, table);
}

/// For each case: a fresh form with `base` then the case's values set; the named field
/// carries an error containing the words, and the form yields no change.
fn refuses_each(new: impl Fn() -> Form, base: &[(FieldId, &str)], table: &[Case]) {
    for (sets, field, words) in table {
        let mut f = new();
        for (id, v) in base.iter().chain(sets.iter()) {
            f.set(*id, *v);
        }
        let error = f
            .fields
            .iter()
            .find(|x| x.id == *field)
            .and_then(|x| x.error.clone());
        assert!(
            error.as_deref().is_some_and(|e| e.contains(words)),
            "{sets:?}: {field:?} says {error:?}, want {words:?}"
        );
        assert!(f.change().is_none(), "{sets:?}");
    }
}

#[test]
fn valid_forms_give_the_change_and_its_ipvsadm_line() {
    use FieldId::*;
    let mut f = Form::add_service();
    f.set(Protocol, "udp");
    f.set(Address, "2001:db8::53");
    f.set(Port, "53");
    f.set(Persistence, "60");
    f.set(Netmask, "/64");
    f.set(Scheduler, "sh");
    f.set(SchedFlags, "sh-port");
    f.set(OnePacket, "yes");
    assert_eq!(
        f.command_line(),
        "ipvsadm -A -u [2001:db8::53]:53 -s sh -p 60 -M 64 -o -b sh-port"
    );
    let mut d = Form::add_dest(web());
    d.set(Server, "10.0.0.9");
    d.set(Forward, "local");
    let Some(Change::AddDest { dest, .. }) = d.change() else {
        panic!()
    };
    assert_eq!(
        (dest.forward, dest.port, dest.weight),
        (crate::model::Forward::Local, 80, 1)
    );
    // Edit forms lock the identity and read back every setting.
    let mut s = Service::new(web(), "mh");
    s.flags.0 = ServiceFlags::PERSISTENT | ServiceFlags::SCHED1;
    s.timeout = 300;
    s.netmask = 0xffff_ff00;
    let mut e = Form::edit_service(&s);
    e.type_char('9');
    assert_eq!(e.change(), Some(Change::EditService(s.clone())));
    assert!(e.fields.iter().filter(|f| f.locked).count() >= 3);
}

#[test]
fn the_preview_says_what_is_missing_never_half_a_command() {
    use FieldId::*;
    let mut f = Form::add_service();
    assert_eq!(f.command_line(), "needs: virtual address, virtual port");
    f.set(Address, "192.0.2.50");
    assert_eq!(f.command_line(), "needs: virtual port");
    f.set(Port, "http");
    f.set(SchedFlags, "sh-port");
    assert_eq!(f.command_line(), "fix: virtual port, scheduler flags");
    f.set(Address, "");
    assert_eq!(
        f.command_line(),
        "needs: virtual address · fix: virtual port, scheduler flags"
    );
    f.set(Protocol, "fwmark");
    f.set(SchedFlags, "");
    assert_eq!(f.command_line(), "needs: firewall mark");
    f.set(Mark, "7");
    assert_eq!(f.command_line(), "ipvsadm -A -f 7 -s wlc");

    let mut d = Form::add_dest(web());
    assert_eq!(d.command_line(), "needs: real server address");
    d.set(Server, "10.0.0.2");
    d.set(Weight, "");
    assert_eq!(d.command_line(), "needs: weight");
    d.set(Weight, "3");
    d.set(Forward, "tunnel");
    d.set(TunType, "gue");
    assert_eq!(d.command_line(), "needs: tunnel port");
    d.set(TunPort, "6080");
    assert!(d
        .command_line()
        .starts_with("ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.2"));
}

#[test]
fn focus_starts_on_the_first_field_that_can_change_and_skips_fixed_ones() {
    use FieldId::*;
    assert_eq!(Form::add_service().focused(), Some(Protocol));
    assert_eq!(Form::add_dest(web()).focused(), Some(Server));
    let mut e = Form::edit_service(&Service::new(web(), "wlc"));
    assert_eq!(e.focused(), Some(Scheduler));
    // Backwards from the first changeable field wraps past the fixed ones.
    e.next_field(-1);
    assert_eq!(e.focused(), Some(Engine));
    e.next_field(1);
    assert_eq!(e.focused(), Some(Scheduler));
    let dest = crate::model::Dest::new("10.0.0.2".parse().unwrap(), 80);
    let mut d = Form::edit_dest(web(), &dest);
    assert_eq!(d.focused(), Some(Forward));
    d.next_field(1);
    assert_eq!(d.focused(), Some(Weight));
}

#[test]
fn esc_closes_an_unchanged_form_and_asks_on_a_changed_one() {
    use crate::app::editing::Key;
    let mut f = Form::add_service();
    assert!(!f.is_changed());
    assert_eq!(f.key(Key::Esc), FormOutcome::Close);

    // Typed then erased again: nothing changed, Esc closes.
    let mut f = Form::add_dest(web());
    f.key(Key::Char('1'));
    f.key(Key::Backspace);
    assert_eq!(f.key(Key::Esc), FormOutcome::Close);

    let mut f = Form::add_dest(web());
    f.key(Key::Char('1'));
    assert_eq!(f.key(Key::Esc), FormOutcome::Stay);
    assert!(f.asking_discard);
    // While asking, other keys change nothing; n goes back to the form.
    f.key(Key::Char('9'));
    assert_eq!(f.get(FieldId::Server), "1");
    assert_eq!(f.key(Key::Char('n')), FormOutcome::Stay);
    assert!(!f.asking_discard);
    f.key(Key::Char('0'));
    assert_eq!(f.get(FieldId::Server), "10");
    f.key(Key::Esc);
    assert_eq!(f.key(Key::Esc), FormOutcome::Stay, "Esc keeps editing");
    assert!(!f.asking_discard);
    f.key(Key::Esc);
    assert_eq!(f.key(Key::Char('y')), FormOutcome::Close);

    // An edit form changed by a choice asks too.
    let mut e = Form::edit_service(&Service::new(web(), "wlc"));
    e.key(Key::Right { shift: false });
    assert_eq!(e.get(FieldId::Scheduler), "lblc");
    assert_eq!(e.key(Key::Esc), FormOutcome::Stay);
    assert!(e.asking_discard);
}
