ipvsadm -Ln --persistent-conn
