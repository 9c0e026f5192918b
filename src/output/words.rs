//! Words ipvsadm uses for flags, shared by the listing, the save format and JSON.

use crate::model::{Dest, Forward, Service, ServiceFlags, TunnelFlags, TunnelType};

/// Scheduler flag words as print_sched_flags names them: `sh-*` for sh,
/// `mh-*` for mh, `flag-N` for any other scheduler. Bits a scheduler has no
/// word for (e.g. SCHED3 under sh) are not named, as in ipvsadm.
pub fn sched_flag_words(service: &Service) -> Vec<&'static str> {
    let mut words = Vec::new();
    each_sched_flag_word(service, |w| words.push(w));
    words
}

/// The words of [`sched_flag_words`], one call each, in order, without
/// collecting them (batch output writes them for every service).
pub fn each_sched_flag_word(service: &Service, mut word: impl FnMut(&'static str)) {
    let f = service.flags;
    match service.scheduler.as_str() {
        "sh" => {
            if f.has(ServiceFlags::SCHED1) {
                word("sh-fallback");
            }
            if f.has(ServiceFlags::SCHED2) {
                word("sh-port");
            }
        }
        "mh" => {
            if f.has(ServiceFlags::SCHED1) {
                word("mh-fallback");
            }
            if f.has(ServiceFlags::SCHED2) {
                word("mh-port");
            }
        }
        _ => {
            if f.has(ServiceFlags::SCHED1) {
                word("flag-1");
            }
            if f.has(ServiceFlags::SCHED2) {
                word("flag-2");
            }
            if f.has(ServiceFlags::SCHED3) {
                word("flag-3");
            }
        }
    }
}

/// Any of the three scheduler flag bits set (ipvsadm's test for printing flags).
pub fn has_sched_flags(service: &Service) -> bool {
    service.flags.0 & (ServiceFlags::SCHED1 | ServiceFlags::SCHED2 | ServiceFlags::SCHED3) != 0
}

/// ipvsadm's `tunflags[]`: `-c`, `+c`, `r+c`.
fn tun_flags_short(flags: TunnelFlags) -> &'static str {
    match flags.0 {
        0 => "-c",
        TunnelFlags::CSUM => "+c",
        // ipvsadm indexes an array with the raw value; only 0..=2 exist there.
        _ => "r+c",
    }
}

/// The TunnelInfo column of `--tun-info` (fwd_tun_info): `ipip`,
/// `gue:PORT:FLAGS`, `gre:FLAGS`, or `n/a` for a non-tunnel server.
pub fn tun_info(dest: &Dest) -> String {
    if dest.forward != Forward::Tunnel {
        return "n/a".to_string();
    }
    match dest.tun_type {
        TunnelType::Ipip => "ipip".to_string(),
        TunnelType::Gue => format!("gue:{}:{}", dest.tun_port, tun_flags_short(dest.tun_flags)),
        TunnelType::Gre => format!("gre:{}", tun_flags_short(dest.tun_flags)),
    }
}
