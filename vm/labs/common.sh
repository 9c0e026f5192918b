# Shared by the lab scripts (sourced inside the test VM; see nat.sh, dr.sh).

# lab_web NS NAME DIR: busybox httpd in NS serving a page that says NAME.
lab_web() {
    local ns=$1 name=$2 dir=$3
    mkdir -p "$dir"
    echo "$name" >"$dir/index.html"
    ip netns exec "$ns" busybox httpd -p 80 -h "$dir"
}

# lab_traffic CLIENT_NS VIP N: N HTTP GETs to VIP:80 from CLIENT_NS, one TCP connection each;
# prints "server1=X server2=Y" (counting which page came back). Returns 1 if any request failed.
# The request goes through busybox nc: Debian's busybox-static 1.35 wget segfaults (even on the
# host), and HTTP/1.0 makes httpd close the connection after the page, which ends nc. Its source
# ports are the kernel's: this nc ignores -p unless it listens, so a client port comes round
# again once its TIME_WAIT (60 s) is over, while the director may still hold the old
# connection's entry (see dr_setup for what that does to the counts).
lab_traffic() {
    local ns=$1 url=$2 n=$3
    # One shell inside the namespace: an `ip netns exec` per request is slow under TCG.
    ip netns exec "$ns" sh -c '
        s1=0 s2=0 bad=0 i=0
        while [ $i -lt "$2" ]; do
            i=$((i + 1))
            page=$(printf "GET / HTTP/1.0\r\n\r\n" | busybox nc -w 5 "$1" 80 2>/dev/null | tail -n 1)
            case $page in
            server1) s1=$((s1 + 1)) ;;
            server2) s2=$((s2 + 1)) ;;
            *) bad=$((bad + 1)) ;;
            esac
        done
        echo "server1=$s1 server2=$s2"
        [ $bad -eq 0 ] || { echo "lab_traffic: $bad of $2 requests failed" >&2; exit 1; }
    ' lab_traffic "$url" "$n"
}

# lab_kill_ns NS...: stop every process in the namespaces, then delete them.
lab_kill_ns() {
    local ns pids
    for ns in "$@"; do
        pids=$(ip netns pids "$ns" 2>/dev/null) || continue
        [ -n "$pids" ] && kill $pids 2>/dev/null
    done
    for ns in "$@"; do
        ip netns del "$ns" 2>/dev/null
    done
    return 0
}
