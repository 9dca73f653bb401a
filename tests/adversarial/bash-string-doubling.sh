x=a
while true; do x=$x$x; done
