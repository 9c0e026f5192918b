# The feature-complete table of tests/golden/table.rules, with a little traffic through it
# (sourced inside the test VM; used by vm/golden-inside.sh and the cross-check suite).

# table_net: a local address for the "local" real server, multicast on lo for the sync daemon,
# and a veth pair that the real-server networks route into (packets die there: nothing leaves
# the VM).
table_net() {
    ip addr add 192.0.2.100/32 dev lo
    ip link set lo multicast on
    ip link add gold0 type veth peer name gold1
    ip link set gold0 up
    ip link set gold1 up
    ip route add 198.51.100.0/24 dev gold0
    ip route add 192.0.2.0/24 dev gold0
    ip -6 route add 2001:db8::/32 dev gold0
    ip -6 addr add 2001:db8:ffff::1/128 dev lo nodad
}

# table_traffic: locally generated connections are scheduled by IPVS (LOCAL_OUT hook), so
# counters move even though no real server answers; then wait for the 2 s estimator so rates
# are not zero.
table_traffic() {
    for i in 1 2 3 4 5 6; do
        timeout 1 busybox nc 192.0.2.1 80 </dev/null >/dev/null 2>&1 || true
        timeout 1 busybox nc 192.0.2.7 80 </dev/null >/dev/null 2>&1 || true
    done &
    for i in 1 2 3; do
        # busybox nc here has no -u (it printed its usage and sent nothing): bash's /dev/udp
        echo "query $i" 2>/dev/null >/dev/udp/192.0.2.3/53 || true
        timeout 1 busybox nc 2001:db8::1 80 </dev/null >/dev/null 2>&1 || true
    done &
    wait
    sleep 5
}
