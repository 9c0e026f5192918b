ipvsadm -A -t 192.0.2.50:80 -s wrr -p 60
