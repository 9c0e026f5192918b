# Connection-table lab, sourced inside the test VM:  . vm/labs/conns.sh; conns_setup; conns_traffic
#
# The NAT lab (nat.sh) with more services on its director, each making entries in a known state:
#
#   TCP  198.51.100.10:80    rr, NAT, busybox httpd     completed HTTP requests       TIME_WAIT
#   TCP  198.51.100.10:7     rr, NAT, nc -ll -e cat     connections held open         ESTABLISHED
#   TCP  198.51.100.10:81    DR to 192.0.2.11, which    SYNs nobody answers           SYN_RECV
#                            lacks the VIP and drops
#   UDP  198.51.100.10:53    rr, NAT                    datagrams                     UDP
#   TCP  198.51.100.10:443   rr, NAT, -p 300 to :80     requests from 4 clients       templates (ASSURED)
#   UDP  198.51.100.10:5060  rr, NAT, -p 300 --pe sip   SIP requests with a Call-ID   templates + PE data
#   TCP  [2001:db8:c::10]:80 rr, NAT, busybox httpd     completed HTTP requests       TIME_WAIT
#
# Clients: 198.51.100.2 to .5 and 2001:db8:c::2 in nat-client. A sync daemon pair copies the
# director's entries to CONNS_BACKUP (master on the director's sy0, backup on sy1 over a veth
# pair, multicast), whose table holds them with Origin SYNC (/proc/net/ip_vs_conn_sync).
# Expiry (the kernel's default timeouts): TIME_WAIT 2 min, SYN_RECV 1 min from the last SYN (the
# client retries for minutes, see conns_syn), ESTABLISHED 15 min, UDP 5 min, templates 5 min.
# Only RFC 5737 / RFC 3849 addresses; the VM has no NIC, so nothing leaves it.

. "$(dirname "${BASH_SOURCE[0]}")/nat.sh"

CONNS_NS=$NAT_NS
CONNS_BACKUP=conns-bk
CONNS_VIP6=2001:db8:c::10
# Client addresses (all on nat-client's nc0); conns_held and conns_persistent use each.
CONNS_CLIENTS="198.51.100.2 198.51.100.3 198.51.100.4 198.51.100.5"

conns_setup() {
    nat_setup
    set -e
    local c rs
    for c in $CONNS_CLIENTS; do
        [ "$c" = 198.51.100.2 ] || ip -n nat-client addr add "$c/24" dev nc0
    done
    # IPv6 beside the IPv4 lab: the same links, one /64 per link.
    ip -n nat-client addr add 2001:db8:c::2/64 dev nc0 nodad
    ip -n nat-dir addr add 2001:db8:c::1/64 dev dc0 nodad
    ip -n nat-dir addr add $CONNS_VIP6/128 dev dc0 nodad
    ip -n nat-dir addr add 2001:db8:1::1/64 dev dw1 nodad
    ip -n nat-dir addr add 2001:db8:2::1/64 dev dw2 nodad
    ip -n nat-web1 addr add 2001:db8:1::11/64 dev ws0 nodad
    ip -n nat-web2 addr add 2001:db8:2::11/64 dev ws0 nodad
    ip -n nat-web1 -6 route add default via 2001:db8:1::1
    ip -n nat-web2 -6 route add default via 2001:db8:2::1
    ip netns exec nat-dir sysctl -qw net.ipv6.conf.all.forwarding=1
    # The client retries an unanswered SYN for minutes (10 retries), so SYN_RECV entries last.
    ip netns exec nat-client sysctl -qw net.ipv4.tcp_syn_retries=10

    # Echo servers that hold a connection as long as the client does.
    for rs in nat-web1 nat-web2; do
        ip netns exec $rs busybox nc -ll -p 7 -e cat </dev/null >/dev/null 2>&1 &
    done

    local N="ip netns exec nat-dir ipvsadm"
    $N -A -t $NAT_VIP:7 -s rr
    $N -a -t $NAT_VIP:7 -r 192.0.2.11:7 -m
    $N -a -t $NAT_VIP:7 -r 192.0.2.140:7 -m
    # Direct routing to a real server that does not hold the VIP: it drops the SYN.
    $N -A -t $NAT_VIP:81 -s rr
    $N -a -t $NAT_VIP:81 -r 192.0.2.11:81 -g
    $N -A -u $NAT_VIP:53 -s rr
    $N -a -u $NAT_VIP:53 -r 192.0.2.11:53 -m
    $N -a -u $NAT_VIP:53 -r 192.0.2.140:53 -m
    $N -A -t $NAT_VIP:443 -s rr -p 300
    $N -a -t $NAT_VIP:443 -r 192.0.2.11:80 -m
    $N -a -t $NAT_VIP:443 -r 192.0.2.140:80 -m
    $N -A -u $NAT_VIP:5060 -s rr -p 300 --pe sip
    $N -a -u $NAT_VIP:5060 -r 192.0.2.11:5060 -m
    $N -a -u $NAT_VIP:5060 -r 192.0.2.140:5060 -m
    $N -A -t "[$CONNS_VIP6]:80" -s rr
    $N -a -t "[$CONNS_VIP6]:80" -r "[2001:db8:1::11]:80" -m
    $N -a -t "[$CONNS_VIP6]:80" -r "[2001:db8:2::11]:80" -m

    # Sync daemon pair: the backup holds the same services, as a real backup director does.
    ip netns add $CONNS_BACKUP
    ip -n $CONNS_BACKUP link set lo up
    ip link add sy0 netns nat-dir type veth peer name sy1 netns $CONNS_BACKUP
    ip -n nat-dir addr add 203.0.113.1/24 dev sy0
    ip -n $CONNS_BACKUP addr add 203.0.113.2/24 dev sy1
    ip -n nat-dir link set sy0 up
    ip -n $CONNS_BACKUP link set sy1 up
    $N -Sn | ip netns exec $CONNS_BACKUP ipvsadm -R
    ip netns exec $CONNS_BACKUP ipvsadm --start-daemon backup --mcast-interface sy1
    $N --start-daemon master --mcast-interface sy0
    set +e
}

# conns_traffic: one round of every kind of traffic (about 15 s under TCG). Returns 1 if a
# request that should have been answered was not.
conns_traffic() {
    local rc=0
    nat_traffic 6 >/dev/null || rc=1
    conns_held || rc=1
    conns_syn
    conns_udp
    conns_persistent || rc=1
    conns_sip
    conns_ipv6 4 || rc=1
    return $rc
}

# conns_held: one connection to VIP:7 from each client address, held open by a perl process
# (killed by lab_kill_ns at teardown). Waits until all are connected.
conns_held() {
    rm -f /run/lab/conns-held
    mkdir -p /run/lab
    ip netns exec nat-client perl -MIO::Socket::INET -e '
        my @held;
        for my $src (@ARGV) {
            my $s = IO::Socket::INET->new(PeerAddr => "198.51.100.10", PeerPort => 7,
                LocalAddr => $src, Timeout => 10) or die "connect from $src: $!\n";
            print $s "hello\n";
            <$s>;
            push @held, $s;
        }
        open my $f, ">", "/run/lab/conns-held" or die; close $f;
        sleep 3600;' $CONNS_CLIENTS </dev/null >/dev/null 2>&1 &
    local i
    for i in $(seq 100); do
        [ -e /run/lab/conns-held ] && return 0
        sleep 0.1
    done
    echo "conns_held: no connection held after 10 s" >&2
    return 1
}

# conns_syn: three connection attempts to VIP:81 that are never answered; each keeps
# retransmitting its SYN in the background.
conns_syn() {
    local i
    for i in 1 2 3; do
        ip netns exec nat-client bash -c "exec 3<>/dev/tcp/$NAT_VIP/81" </dev/null >/dev/null 2>&1 &
    done
    sleep 0.5
}

# conns_udp: four datagrams from four source ports to VIP:53 (busybox nc has no -u: bash's
# /dev/udp, one socket per redirection).
conns_udp() {
    local i
    for i in 1 2 3 4; do
        ip netns exec nat-client bash -c "echo query $i >/dev/udp/$NAT_VIP/53" 2>/dev/null
    done
    return 0
}

# conns_persistent: one HTTP request to VIP:443 (persistent, -p 300) from each client address.
conns_persistent() {
    ip netns exec nat-client perl -MIO::Socket::INET -e '
        for my $src (@ARGV) {
            my $s = IO::Socket::INET->new(PeerAddr => "198.51.100.10", PeerPort => 443,
                LocalAddr => $src, Timeout => 5) or die "connect from $src: $!\n";
            print $s "GET / HTTP/1.0\r\n\r\n";
            my $page = join "", <$s>;
            $page =~ /server[12]/ or die "no page from $src\n";
        }' $CONNS_CLIENTS
}

# conns_sip: a SIP OPTIONS request with a Call-ID to VIP:5060 from two source ports, so the
# templates carry the Call-ID as persistence-engine data. One datagram each (perl): bash's
# /dev/udp writes line by line, and a datagram without the Call-ID line is dropped by the PE.
conns_sip() {
    ip netns exec nat-client perl -MIO::Socket::INET -e '
        for my $i (1, 2) {
            my $s = IO::Socket::INET->new(PeerAddr => "198.51.100.10", PeerPort => 5060,
                Proto => "udp") or die "udp: $!\n";
            $s->send("OPTIONS sip:lab\@198.51.100.10 SIP/2.0\r\n"
                . "Via: SIP/2.0/UDP 198.51.100.2:5060\r\nCall-ID: lvstop-call-$i\r\n"
                . "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") or die "send: $!\n";
        }'
}

# conns_ipv6 N: N HTTP requests to the IPv6 VIP.
conns_ipv6() {
    ip netns exec nat-client sh -c '
        i=0 bad=0
        while [ $i -lt "$1" ]; do
            i=$((i + 1))
            page=$(printf "GET / HTTP/1.0\r\n\r\n" | busybox nc -w 5 "$2" 80 2>/dev/null | tail -n 1)
            case $page in server1 | server2) ;; *) bad=$((bad + 1)) ;; esac
        done
        [ $bad -eq 0 ] || { echo "conns_ipv6: $bad of $1 requests failed" >&2; exit 1; }
    ' conns_ipv6 "${1:?N}" $CONNS_VIP6
}

# conns_udp_many N: N datagrams to VIP:53, each from its own socket (N UDP entries), so the
# table spans several pages of /proc/net/ip_vs_conn (the kernel answers a read with ~62 lines).
conns_udp_many() {
    ip netns exec nat-client perl -MIO::Socket::INET -e '
        my @s;
        for my $i (1 .. $ARGV[0]) {
            my $s = IO::Socket::INET->new(PeerAddr => "198.51.100.10", PeerPort => 53,
                Proto => "udp") or die "udp: $!\n";
            $s->send("query $i") or die "send: $!\n";
            push @s, $s;
        }' "${1:?N}"
}

# conns_churn STOPFILE: traffic until STOPFILE exists (HTTP requests whose entries come and
# change state, datagrams from new ports), so the table changes while it is being read.
conns_churn() {
    local stop=${1:?STOPFILE}
    while [ ! -e "$stop" ]; do
        nat_traffic 2 >/dev/null
        conns_udp_many 20
    done
}

conns_teardown() {
    lab_kill_ns $CONNS_BACKUP
    nat_teardown
    rm -f /run/lab/conns-held
}
