ipvsadm -D -t 192.0.2.50:80
