ipvsadm -Ln -t 192.0.2.7:80
