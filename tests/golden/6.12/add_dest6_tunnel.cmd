ipvsadm -a -f 77 -6 -r 2001:db8:1::77 -i -w 2 --tun-type gue --tun-port 6080 --tun-remcsum
