ipvsadm -A -f 77 -6 -s rr
