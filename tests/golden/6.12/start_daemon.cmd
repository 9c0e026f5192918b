ipvsadm --start-daemon master --mcast-interface lo
