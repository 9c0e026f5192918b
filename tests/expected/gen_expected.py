#!/usr/bin/env python3
# Regenerate: for v in plain thr pconn tun; do ./gen_expected.py $v > $v.txt; done; for v in stats rate; do ./gen_expected.py $v > $v.txt; ./gen_expected.py $v x > ${v}_exact.txt; done
# Expected ipvsadm output for the test table, produced with ipvsadm.c's own printf formats
# (Python's % operator follows C printf for these conversions).
def largenum(i, exact):
    if exact:
        l = len("%d" % i)
        return "%*d" % (9 if l <= 8 else l + 1, i)
    if i < 100000000: return "%9d" % i
    if i < 1000000000: return "%8dK" % (i // 1000)
    if i < 100000000000: return "%8dM" % (i // 1000000)
    if i < 100000000000000: return "%8dG" % (i // 1000000000)
    return "%8dT" % (i // 1000000000000)

# (svc_name, detail, dests[(dname, fwd, weight, act, inact, uth, lth, pconn, tuninfo, stats10)], svcstats10)
Z = [0]*10
table = [
 ("TCP  10.0.0.1:80", " wlc", [("192.168.1.1:8080","Masq",5,0,0,100,10,0,"n/a",[1,2,3,4,5,123456789,2,3,150000000,999]),("192.168.1.2:80","Masq",1,12,345,0,0,6,"n/a",Z)], [123456789,1000000000,99999999,123456789012345,5,100000000,7,8,250000000000,1]),
 ("TCP  10.0.0.3:443", " mh (mh-fallback,mh-port) persistent 600 mask 255.255.255.0", [("192.168.1.5:443","Tunnel",1,0,0,0,0,0,"gue:6080:+c",Z),("192.168.1.6:443","Tunnel",1,0,0,0,0,0,"gre:+c",Z)], Z),
 ("UDP  10.0.0.1:53", " rr ops", [("192.168.1.3:53","Route",2,0,0,0,0,0,"n/a",Z)], Z),
 ("UDP  10.0.0.4:5060", " rr persistent 360 pe sip ops", [], Z),
 ("SCTP 10.0.0.2:3868", " sh (sh-fallback,sh-port)", [("192.168.1.4:3868","Tunnel",1,0,0,0,0,0,"ipip",Z)], Z),
 ("TCP  [2001:db8::1]:80", " wrr persistent 300 mask 64", [("192.168.1.7:80","Tunnel",1,0,0,0,0,0,"ipip",Z),("[2001:db8::10]:80","Masq",3,0,0,0,0,0,"n/a",Z)], Z),
 ("FWM  42", " lc", [("192.168.1.8:0","Route",1,0,0,0,0,0,"n/a",Z)], Z),
 ("FWM  43 IPv6", " sed persistent 360", [("[2001:db8::20]:0","Route",1,0,0,0,0,0,"n/a",Z)], Z),
]
import sys
view = sys.argv[1]; exact = len(sys.argv) > 2
out = "IP Virtual Server version 1.2.1 (size=4096)\n"
if view == "stats":
    out += "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n" % ("Prot LocalAddress:Port","Conns","InPkts","OutPkts","InBytes","OutBytes")
elif view == "rate":
    out += "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n" % ("Prot LocalAddress:Port","CPS","InPPS","OutPPS","InBPS","OutBPS")
elif view == "thr":
    out += "%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n" % ("Prot LocalAddress:Port","Uthreshold","Lthreshold","ActiveConn","InActConn")
elif view == "pconn":
    out += "%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n" % ("Prot LocalAddress:Port","Weight","PersistConn","ActiveConn","InActConn")
elif view == "tun":
    out += "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
else:
    out += "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
for name, detail, dests, st in table:
    if view == "stats":
        out += "%-33s" % name + "".join(largenum(x, exact) for x in st[:5])
    elif view == "rate":
        out += "%-33s" % name + "".join(largenum(x, exact) for x in st[5:])
    else:
        out += "%s%s" % (name, detail)
    out += "\n"
    for dn, fwd, w, a, ia, ut, lt, pc, ti, ds in dests:
        if view == "stats":
            out += "  -> %-28s" % dn + "".join(largenum(x, exact) for x in ds[:5]) + "\n"
        elif view == "rate":
            out += "  -> %-28s %8d %8d %8d" % (dn, ds[5], ds[6], ds[7]) + largenum(ds[8], exact) + largenum(ds[9], exact) + "\n"
        elif view == "thr":
            out += "  -> %-28s %-10u %-10u %-10u %-10u\n" % (dn, ut, lt, a, ia)
        elif view == "pconn":
            out += "  -> %-28s %-9u %-11u %-10u %-10u\n" % (dn, w, pc, a, ia)
        elif view == "tun":
            out += "  -> %-28s %-7s %-13s %-6d %-10u %-10u\n" % (dn, fwd, ti, w, a, ia)
        else:
            out += "  -> %-28s %-7s %-6d %-10u %-10u\n" % (dn, fwd, w, a, ia)
sys.stdout.write(out)
