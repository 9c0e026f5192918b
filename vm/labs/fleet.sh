# Directors as network namespaces, each with its own IPVS table and an OpenSSH server on a veth
# address (sourced inside the test VM; tests/vm_fleet.rs, tests/support/fleet.rs).
#
#   . vm/labs/fleet.sh; fleet_setup 3      # d1 d2 d3, keys and known_hosts made here
#   lvstop -b -n 1 --ssh-config $FLEET/ssh_config --remote-lvstop $PWD/target/debug/lvstop \
#       --host d1 --host d2 --host d3
#
# Director i is namespace d$i at 198.51.100.(4i-2) (the root namespace holds .(4i-3) on the
# other end of its veth); $FLEET/ssh_config names it d$i with the client key and known_hosts.
# Each sshd sets XDG_STATE_HOME to $FLEET/d$i/state, so each agent journals in
# $FLEET/d$i/state/lvstop/journal.jsonl, and HOME to an empty $FLEET/d$i/home.

FLEET=/tmp/fleet

fleet_setup() {
    local n=$1 i
    mkdir -p "$FLEET" /run/sshd
    chmod 755 /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f "$FLEET/client_key"
    cp "$FLEET/client_key.pub" "$FLEET/authorized_keys"
    : >"$FLEET/known_hosts"
    : >"$FLEET/ssh_config"
    for i in $(seq 1 "$n"); do
        fleet_director "$i" || return 1
    done
}

# fleet_director I: namespace d$I, its veth, its host key and sshd, its ssh_config entry, and a
# table of two services (weights 1 and 2).
fleet_director() {
    local i=$1 ns=d$1 near=198.51.100.$((4 * $1 - 3)) far=198.51.100.$((4 * $1 - 2))
    ip netns add "$ns"
    ip link add "fv$i" type veth peer name "fd$i"
    ip link set "fd$i" netns "$ns"
    ip addr add "$near/30" dev "fv$i"
    ip link set "fv$i" up
    ip netns exec "$ns" ip addr add "$far/30" dev "fd$i"
    ip netns exec "$ns" ip link set "fd$i" up
    ip netns exec "$ns" ip link set lo up
    ssh-keygen -q -t ed25519 -N '' -f "$FLEET/$ns.host_key"
    # HOME: the session's shell finds no rc file (the VM's /root is the host's, whose
    # ~/.bashrc costs seconds under TCG).
    mkdir -p "$FLEET/$ns/state" "$FLEET/$ns/home"
    cat >"$FLEET/$ns/sshd_config" <<EOC
ListenAddress $far
HostKey $FLEET/$ns.host_key
AuthorizedKeysFile $FLEET/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PidFile $FLEET/$ns/sshd.pid
UsePAM no
SetEnv XDG_STATE_HOME=$FLEET/$ns/state HOME=$FLEET/$ns/home
EOC
    echo "$far $(cut -d' ' -f1,2 "$FLEET/$ns.host_key.pub")" >>"$FLEET/known_hosts"
    cat >>"$FLEET/ssh_config" <<EOC
Host $ns
    HostName $far
    User root
    IdentityFile $FLEET/client_key
    UserKnownHostsFile $FLEET/known_hosts
    StrictHostKeyChecking yes
    LogLevel ERROR
EOC
    fleet_ipvsadm "$ns" -A -t 192.0.2.10:80 -s wlc
    fleet_ipvsadm "$ns" -a -t 192.0.2.10:80 -r 10.0.0.1:80 -m -w 1
    fleet_ipvsadm "$ns" -a -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 2
    fleet_ipvsadm "$ns" -A -u 192.0.2.10:53 -s rr
    fleet_ipvsadm "$ns" -a -u 192.0.2.10:53 -r 10.0.0.3:53 -m -w 1
    fleet_sshd "$ns"
}

# fleet_ipvsadm NS ARGS...: ipvsadm in a director's namespace.
fleet_ipvsadm() {
    local ns=$1
    shift
    ip netns exec "$ns" ipvsadm "$@"
}

fleet_sshd() {
    ip netns exec "$1" /usr/sbin/sshd -f "$FLEET/$1/sshd_config" -E "$FLEET/$1/sshd.log"
}

# fleet_kill_sshd NS: the director's sshd and every session it serves (the agents with them):
# each process of the namespace, by its pid.
fleet_kill_sshd() {
    local p
    for p in $(ip netns pids "$1"); do
        kill -9 "$p" 2>/dev/null
    done
}
