ipvsadm -Ln --rate --exact
