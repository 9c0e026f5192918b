ipvsadm -C
