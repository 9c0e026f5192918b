ipvsadm -Ln --stats --exact
