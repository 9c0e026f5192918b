ipvsadm -Ln --tun-info
