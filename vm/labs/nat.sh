# NAT lab (LVS-NAT), sourced inside the test VM:  . vm/labs/nat.sh; nat_setup; nat_traffic 300
#
#   nat-client 198.51.100.2 ─veth─ 198.51.100.1  nat-dir  192.0.2.1/25   ─veth─ 192.0.2.11  nat-web1
#                                  VIP 198.51.100.10      192.0.2.129/25 ─veth─ 192.0.2.140 nat-web2
#
# The director is its own network namespace, NAT_NS: IPVS tables are per namespace, so the service
# lives there (check it with `ip netns exec "$NAT_NS" ipvsadm -Ln`), and the VM's root namespace
# stays empty. The real servers' default route is the director, which forwards (ip_forward=1) and
# rewrites replies. busybox httpd on each real server answers "server1" / "server2".
# Only RFC 5737 addresses; the VM has no NIC, so nothing leaves it.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAT_NS=nat-dir
NAT_VIP=198.51.100.10

nat_setup() {
    set -e
    local ns
    for ns in nat-client nat-dir nat-web1 nat-web2; do
        ip netns add $ns
        ip -n $ns link set lo up
    done
    # client <-> director
    ip link add nc0 netns nat-client type veth peer name dc0 netns nat-dir
    ip -n nat-client addr add 198.51.100.2/24 dev nc0
    ip -n nat-dir addr add 198.51.100.1/24 dev dc0
    ip -n nat-dir addr add $NAT_VIP/32 dev dc0
    # director <-> real servers, one /25 each
    ip link add ws0 netns nat-web1 type veth peer name dw1 netns nat-dir
    ip link add ws0 netns nat-web2 type veth peer name dw2 netns nat-dir
    ip -n nat-dir addr add 192.0.2.1/25 dev dw1
    ip -n nat-dir addr add 192.0.2.129/25 dev dw2
    ip -n nat-web1 addr add 192.0.2.11/25 dev ws0
    ip -n nat-web2 addr add 192.0.2.140/25 dev ws0
    for ns in nat-client:nc0 nat-dir:dc0 nat-dir:dw1 nat-dir:dw2 nat-web1:ws0 nat-web2:ws0; do
        ip -n ${ns%:*} link set ${ns#*:} up
    done
    ip -n nat-web1 route add default via 192.0.2.1
    ip -n nat-web2 route add default via 192.0.2.129
    ip netns exec nat-dir sysctl -qw net.ipv4.ip_forward=1

    lab_web nat-web1 server1 /run/lab/nat/web1
    lab_web nat-web2 server2 /run/lab/nat/web2

    ip netns exec nat-dir ipvsadm -A -t $NAT_VIP:80 -s rr
    ip netns exec nat-dir ipvsadm -a -t $NAT_VIP:80 -r 192.0.2.11:80 -m
    ip netns exec nat-dir ipvsadm -a -t $NAT_VIP:80 -r 192.0.2.140:80 -m
    set +e
}

# nat_traffic N: N HTTP requests from the client to the VIP; prints "server1=X server2=Y".
nat_traffic() { lab_traffic nat-client "$NAT_VIP" "${1:?N}"; }

nat_teardown() {
    lab_kill_ns nat-client nat-dir nat-web1 nat-web2
    rm -rf /run/lab/nat
}
