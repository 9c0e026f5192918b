# A big IPVS connection table for `tools/bench --connections`, sourced inside the test VM:
#   . examples/bench/pktgen.sh; conns_setup; conns_fill 200000; conns_count
#
#   root ns: pktgen ─ cg0 ─veth─ cg1 ─ cb-dir (VIP 198.51.100.10, UDP :53, wrr 1:2:3)
#                                       cb-dir rs0 ─veth─ rs1 (real servers 192.0.2.11-13, never answer)
#
# The kernel's pktgen (extracted from the cached Debian package, as tests/vm_monitor.rs does with
# sch_netem) sends UDP from random addresses in 10.0.0.0/10 and random ports to the VIP; each new
# client address/port makes one entry. The real servers' packets go out rs0 to static neighbours
# and are dropped on rs1: nothing needs to answer. UDP entries last 3600 s (`ipvsadm --set`).

CONNS_NS=cb-dir
CONNS_VIP=198.51.100.10

# pktgen_load: the kernel's pktgen module, from the cached Debian package of the running kernel.
pktgen_load() {
    local rel deb d ko
    rel=$(uname -r)
    deb=
    for d in vm/cache/*/; do [ "$(cat "$d/kernel-release" 2>/dev/null)" = "$rel" ] && deb=$d/pkg.deb; done
    [ -n "$deb" ] || { echo "pktgen.sh: no cached package for $rel (link vm/cache)" >&2; return 1; }
    mkdir -p /tmp/pktgen
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C /tmp/pktgen --wildcards "./lib/modules/$rel/kernel/net/core/pktgen.ko*"
    ko=$(ls /tmp/pktgen/lib/modules/"$rel"/kernel/net/core/pktgen.ko*)
    case $ko in *.xz) xz -d "$ko"; ko=${ko%.xz} ;; esac
    insmod "$ko"
}

conns_setup() {
    set -e
    pktgen_load

    ip netns add $CONNS_NS
    ip -n $CONNS_NS link set lo up
    ip link add cg0 type veth peer name cg1 netns $CONNS_NS
    ip link set cg0 up
    ip -n $CONNS_NS addr add 198.51.100.1/24 dev cg1
    ip -n $CONNS_NS addr add $CONNS_VIP/32 dev cg1
    ip -n $CONNS_NS link set cg1 up
    ip -n $CONNS_NS link add rs0 type veth peer name rs1
    ip -n $CONNS_NS addr add 192.0.2.1/24 dev rs0
    ip -n $CONNS_NS link set rs0 up
    ip -n $CONNS_NS link set rs1 up
    local mac r
    mac=$(cat /sys/class/net/cg0/address)
    # Random sources: no reverse-path check, and a way back for the director's own replies.
    ip netns exec $CONNS_NS sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.cg1.rp_filter=0
    ip -n $CONNS_NS route add 10.0.0.0/10 dev cg1
    ip netns exec $CONNS_NS ipvsadm -A -u $CONNS_VIP:53 -s wrr
    for r in 1 2 3; do
        ip netns exec $CONNS_NS ipvsadm -a -u $CONNS_VIP:53 -r 192.0.2.1$r:53 -m -w $r
        ip -n $CONNS_NS neigh replace 192.0.2.1$r lladdr "$(ip netns exec $CONNS_NS cat /sys/class/net/rs1/address)" nud permanent dev rs0
    done
    ip netns exec $CONNS_NS ipvsadm --set 0 0 3600

    local p=/proc/net/pktgen
    echo "rem_device_all" >$p/kpktgend_0
    echo "add_device cg0" >$p/kpktgend_0
    for c in "clone_skb 0" "pkt_size 60" "delay 0" "dst $CONNS_VIP" \
        "dst_mac $(ip netns exec $CONNS_NS cat /sys/class/net/cg1/address)" "src_mac $mac" \
        "src_min 10.0.0.1" "src_max 10.63.255.254" "flag IPSRC_RND" \
        "udp_src_min 1024" "udp_src_max 65535" "flag UDPSRC_RND" \
        "udp_dst_min 53" "udp_dst_max 53"; do
        echo "$c" >$p/cg0
    done
    set +e
}

# conns_count: entries in the table, from the real servers' active + inactive counts (netlink):
# counting /proc/net/ip_vs_conn's lines would cost the quadratic read being measured.
conns_count() {
    ip netns exec $CONNS_NS ipvsadm -Ln | awk '$1 == "->" && $5 ~ /^[0-9]+$/ { n += $5 + $6 } END { print n + 0 }'
}

# conns_fill N: pktgen bursts until the table holds at least N entries (packets the veth's
# backlog drops, and the rare repeated address/port, make no entry: it tops up).
conns_fill() {
    local want=${1:?N} have=0 round=0
    while have=$(conns_count) && [ "$have" -lt "$want" ]; do
        round=$((round + 1))
        [ $round -le 20 ] || { echo "pktgen.sh: $have of $want entries after 20 rounds" >&2; return 1; }
        echo "count $((want - have + 64))" >/proc/net/pktgen/cg0
        echo start >/proc/net/pktgen/pgctrl
    done
    echo "conns_entries=$have"
    echo "conns_fill_rounds=$round"
}
