ipvsadm -Z -t 192.0.2.1:80
