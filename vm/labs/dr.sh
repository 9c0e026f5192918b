# DR lab (LVS direct routing), sourced inside the test VM:  . vm/labs/dr.sh; dr_setup; dr_traffic 300
#
#   dr-client 203.0.113.2 ┐
#   dr-dir    203.0.113.1 ├─ bridge "br0" in namespace dr-sw (one veth per namespace)
#   dr-web1   203.0.113.11┤  VIP 203.0.113.100: on the director's eth0 and on each real server's lo
#   dr-web2   203.0.113.12┘
#
# The director is its own namespace, DR_NS (IPVS tables are per namespace: check it with
# `ip netns exec "$DR_NS" ipvsadm -Ln`). It only rewrites the destination MAC; the real servers
# hold the VIP on lo and answer the client directly. arp_ignore=1 / arp_announce=2 (all and lo)
# keep them from answering ARP for the VIP, so the client's ARP for it reaches the director.
# wrr with weights 1 and 2: 300 connections split 100/200. Only RFC 5737 addresses.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DR_NS=dr-dir
DR_VIP=203.0.113.100

dr_setup() {
    set -e
    local ns
    ip netns add dr-sw
    ip -n dr-sw link set lo up
    ip -n dr-sw link add br0 type bridge
    ip -n dr-sw link set br0 up
    for ns in dr-client:203.0.113.2 dr-dir:203.0.113.1 dr-web1:203.0.113.11 dr-web2:203.0.113.12; do
        local name=${ns%:*} addr=${ns#*:}
        ip netns add "$name"
        ip -n "$name" link set lo up
        ip link add eth0 netns "$name" type veth peer name "p-$name" netns dr-sw
        ip -n dr-sw link set "p-$name" master br0
        ip -n dr-sw link set "p-$name" up
        ip -n "$name" addr add "$addr/24" dev eth0
        ip -n "$name" link set eth0 up
    done
    ip -n dr-dir addr add $DR_VIP/32 dev eth0
    local i
    for i in 1 2; do
        ip netns exec dr-web$i sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
            net.ipv4.conf.lo.arp_ignore=1 net.ipv4.conf.lo.arp_announce=2
        ip -n dr-web$i addr add $DR_VIP/32 dev lo
        lab_web dr-web$i server$i /run/lab/dr/web$i
    done

    ip netns exec dr-dir ipvsadm -A -t $DR_VIP:80 -s wrr
    # A DR director sees only the client's packets, so a closed connection's entry stays in
    # FIN_WAIT (2 min), longer than the client's TIME_WAIT (60 s): a client port that comes
    # round again was handed that entry, to the same real server and not counted (297 and 299
    # of 300 seen; forced in the VM with 20 client ports: 40 answers, 20 Conns). Bit 2 of
    # conn_reuse_mode makes the director schedule such a SYN as a new connection (40 of 40).
    ip netns exec dr-dir sysctl -qw net.ipv4.vs.conn_reuse_mode=3
    ip netns exec dr-dir ipvsadm -a -t $DR_VIP:80 -r 203.0.113.11:80 -g -w 1
    ip netns exec dr-dir ipvsadm -a -t $DR_VIP:80 -r 203.0.113.12:80 -g -w 2
    set +e
}

# dr_traffic N: N HTTP requests from the client to the VIP; prints "server1=X server2=Y".
dr_traffic() { lab_traffic dr-client "$DR_VIP" "${1:?N}"; }

dr_teardown() {
    lab_kill_ns dr-client dr-dir dr-web1 dr-web2 dr-sw
    rm -rf /run/lab/dr
}
