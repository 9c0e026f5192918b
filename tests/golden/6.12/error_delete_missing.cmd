ipvsadm -D -t 192.0.2.99:80
