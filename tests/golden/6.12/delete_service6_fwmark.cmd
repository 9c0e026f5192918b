ipvsadm -D -f 77 -6
