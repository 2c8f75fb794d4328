# More corner cases: ${1+"$@"}, character classes, functions shadowing builtins, nested quotes
set -- a "b c"; for x in ${1+"$@"}; do echo "[$x]"; done
set --; for x in ${1+"$@"}; do echo "never"; done; echo "none"
case 5 in [[:digit:]]) echo digit-class;; esac
v=123abc; echo "${v%%[!0-9]*}"
echo $(( -3 + 5 )) $((10 % 3)) $((-10 % 3))
[ 1 -eq 1 -a 2 -eq 2 ] && echo and-a; [ 1 -eq 2 -o 2 -eq 2 ] && echo or-o
echo() { command echo "wrapped: $*"; }; echo hi; unset -f echo; echo plain
f() { set -- x y z; echo "f $#"; shift; echo "f $1"; }; set -- 1; f; echo "outer $# $1"
false; (exit); echo "exit no arg $?"
read a b c <<EOF
only two
EOF
echo "[$a][$b][$c]"
cat <<EOF
dollar at end $
backslash-newline \
joined
EOF
echo `echo \`echo nested-bq\``
g() { local v=1; h; }; h() { echo "h sees v=${v:-unset}"; }; g; h
set -e; t() { false && true; echo "after false&&true in function"; }; t; set +e
x=1; readonly x 2>/dev/null; (x=2) 2>/dev/null; echo "readonly $?"
echo "$(echo "$(echo "$(echo deep)")")"
printf '%s\n' "a  b" | { read -r l; echo "[$l]"; }
echo ${undefined_var:+never}end
echo "a${undefined_var}b"
IFS=; x="a b"; set -- $x; echo "$#"; unset IFS
s="x=1"; eval "$s"; echo "$x"
echo "exit codes: $(true; echo $?) $(false; echo $?)"
sh -c 'exit 3' || echo "or after child $?"
i=0; while [ $i -lt 3 ]; do i=$((i+1)); case $i in 2) continue;; esac; echo "w$i"; done
echo "$((1<<2|1))" "$((6&3^1))"
echo done
