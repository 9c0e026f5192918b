ipvsadm -A -t 192.0.2.1:80 -s rr
