ipvsadm -Ln --stats
