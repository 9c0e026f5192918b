ipvsadm -E -t 192.0.2.50:80 -s rr
