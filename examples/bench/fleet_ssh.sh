# Run inside the test VM by tools/bench --fleet N --fleet-ssh:
#   bash examples/bench/fleet_ssh.sh N S D TUI_SECS QUIET_SECS SETTLE_SECS BENCH LVSTOP
# N directors d1 … dN of vm/labs/fleet.sh, each with an S x D table, then the
# headless fleet monitor over them through ssh and `lvstop agent`.
set -e -o pipefail
n=$1 s=$2 d=$3 tui=$4 quiet=$5 settle=$6 bench=$7 lvstop=$8
echo "fleet=$n size=${s}x$d ssh=yes agents_nice=${AGENTS_NICE:-0}"
echo "cpus=$(nproc)"
echo "kernel=$(uname -r)"
. vm/labs/fleet.sh
fleet_setup "$n" >/dev/null
mkdir -p "$FLEET/streams"
# The agent as --remote-lvstop: its stdout, the stream its ssh session
# carries, also appended to a file named by the director's address; at nice
# $AGENTS_NICE (tools/bench --agents-nice).
printf '#!/bin/sh\nnice -n %s %s "$@" | tee -a %s/streams/"$(echo "$SSH_CONNECTION" | cut -d" " -f3)"\n' \
    "${AGENTS_NICE:-0}" "$lvstop" "$FLEET" >"$FLEET/agent-tee"
chmod 755 "$FLEET/agent-tee"
for i in $(seq 1 "$n"); do
    # The lab's two services out; a real server must be a unicast address
    # where it is added.
    ip netns exec "d$i" ipvsadm -C
    ip -n "d$i" route add 172.16.0.0/12 dev lo
    ip netns exec "d$i" "$bench" build "$s" "$d" 2>&1 | sed "s/^/d$i /"
    echo "d$i services=$(ip netns exec "d$i" ipvsadm -Ln | grep -c ^TCP)"
done
echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" fleet-ssh-tui "$n" "$FLEET/ssh_config" "$FLEET/agent-tee" "$tui" "$quiet" "$FLEET/streams" "$settle"
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
