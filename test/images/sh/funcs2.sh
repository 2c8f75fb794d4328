# Functions defined by eval, in $( ), redefining themselves; here-documents in function bodies
i=0; while [ $i -lt 50 ]; do eval "f$i() { echo fn$i \$1; }"; i=$((i+1)); done; f7 x; f49 y
g() { g() { echo redefined; }; echo first; }; g; g
h=$(k() { echo inner-fn; }; k); echo "$h"; command -v k || echo "k not defined outside"
for x in 1 2 3; do eval 'echo "eval $x"'; done
m() { cat <<EOF
heredoc in function $1
EOF
}; m a; m b
n() { case $1 in a) echo A;; *) echo other;; esac; }; n a; n z
(o() { echo sub-fn; }; o); o 2>/dev/null || echo "o gone"
p() { echo p1; } ; q() { p; p() { echo p2; }; p; }; q; p
