set terminal pngcairo size 1800,1000 font ',10'
set output 'scale.png'
set multiplot layout 2,3 title 'nsearch vs SQLite FTS5 vs raw Xapian (generated White House archive)'
set logscale xy
set grid
set key top left
set xlabel 'articles'
set format x '%.0s%c'
set title 'build wall time (s)'
plot 'scale.dat' index 0 using 1:2 with linespoints title 'nsearch', 'scale.dat' index 1 using 1:2 with linespoints title 'SQLite FTS5', 'scale.dat' index 2 using 1:2 with linespoints title 'raw Xapian'
set title 'build CPU time, user+sys (s)'
plot 'scale.dat' index 0 using 1:6 with linespoints title 'nsearch', 'scale.dat' index 1 using 1:6 with linespoints title 'SQLite FTS5', 'scale.dat' index 2 using 1:6 with linespoints title 'raw Xapian'
set title 'index size (MB)'
plot 'scale.dat' index 0 using 1:3 with linespoints title 'nsearch', 'scale.dat' index 1 using 1:3 with linespoints title 'SQLite FTS5', 'scale.dat' index 2 using 1:3 with linespoints title 'raw Xapian'
set title 'median latency, top 10, no snippets (ms)'
plot 'scale.dat' index 0 using 1:4 with linespoints title 'nsearch', 'scale.dat' index 1 using 1:4 with linespoints title 'SQLite FTS5', 'scale.dat' index 2 using 1:4 with linespoints title 'raw Xapian'
set title 'median latency, top 10, snippets (ms)'
plot 'scale.dat' index 0 using 1:5 with linespoints title 'nsearch', 'scale.dat' index 1 using 1:5 with linespoints title 'SQLite FTS5', 'scale.dat' index 2 using 1:5 with linespoints title 'raw Xapian'
unset multiplot
