#!/bin/bash
# Runs INSIDE the test VM (see vm/capture-golden): loads tests/golden/table.rules, pushes a little
# traffic through it so counters and rates are not all zero, then captures the netlink bytes of each
# ipvsadm command with strace. Writes a tar of the results on stdout.
set -euo pipefail
out=/run/golden
mkdir -p "$out"
exec 3>&1 1>&2 # keep stdout clean for the tar

. vm/labs/table.sh
table_net
ipvsadm -R <tests/golden/table.rules
table_traffic

# capture NAME CMD...: strace of CMD into NAME.strace, its stdout/stderr/status beside it.
capture() {
    local name=$1
    shift
    echo "$*" >"$out/$name.cmd"
    local rc=0
    strace -f -xx -s 65535 -e trace=sendmsg,recvmsg,sendto,recvfrom -e read=all -e write=all \
        -o "$out/$name.strace" "$@" >"$out/$name.out" 2>"$out/$name.err" || rc=$?
    echo "$rc" >"$out/$name.status"
}

# Reference outputs of the loaded table (the strace'd run's own stdout is the reference).
capture list ipvsadm -Ln
capture list_stats ipvsadm -Ln --stats
capture list_stats_exact ipvsadm -Ln --stats --exact
capture list_rate_exact ipvsadm -Ln --rate --exact
capture list_thresholds ipvsadm -Ln --thresholds
capture list_persistent_conn ipvsadm -Ln --persistent-conn
capture list_tun_info ipvsadm -Ln --tun-info
capture list_one_service ipvsadm -Ln -t 192.0.2.7:80
capture save ipvsadm -Sn
# Changes.
capture add_service ipvsadm -A -t 192.0.2.50:80 -s wrr -p 60
capture edit_service ipvsadm -E -t 192.0.2.50:80 -s rr
capture add_dest ipvsadm -a -t 192.0.2.50:80 -r 198.51.100.150:8080 -m -w 7 -x 50 -y 5
capture edit_dest ipvsadm -e -t 192.0.2.50:80 -r 198.51.100.150:8080 -m -w 9
capture delete_dest ipvsadm -d -t 192.0.2.50:80 -r 198.51.100.150:8080
capture delete_service ipvsadm -D -t 192.0.2.50:80
capture add_service6_fwmark ipvsadm -A -f 77 -6 -s rr
capture add_dest6_tunnel ipvsadm -a -f 77 -6 -r 2001:db8:1::77 -i -w 2 --tun-type gue --tun-port 6080 --tun-remcsum
capture delete_service6_fwmark ipvsadm -D -f 77 -6
capture error_add_existing ipvsadm -A -t 192.0.2.1:80 -s rr
capture error_delete_missing ipvsadm -D -t 192.0.2.99:80
capture error_edit_missing_dest ipvsadm -e -t 192.0.2.1:80 -r 198.51.100.99:80 -m -w 1
capture zero_service ipvsadm -Z -t 192.0.2.1:80
capture list_after_zero_service ipvsadm -Ln --stats --exact
capture zero ipvsadm -Z
capture set_timeouts ipvsadm --set 900 120 300
capture list_timeout ipvsadm -L --timeout
capture list_daemon_none ipvsadm -L --daemon
# The kernel refuses a sync daemon while any mixed-family real server exists (EINVAL).
capture error_start_daemon_mixed_family ipvsadm --start-daemon master --mcast-interface lo
capture delete_dest_mixed_family ipvsadm -d -t 192.0.2.7:80 -r [2001:db8:1::81]:80
capture start_daemon ipvsadm --start-daemon master --mcast-interface lo
capture list_daemon ipvsadm -L --daemon
capture stop_daemon ipvsadm --stop-daemon master
capture clear ipvsadm -C
capture list_empty ipvsadm -Ln

uname -r >"$out/uname"
ipvsadm --version >"$out/ipvsadm-version" 2>&1 || true
strace -V | head -1 >"$out/strace-version"
tar -C "$out" -cf - . >&3
