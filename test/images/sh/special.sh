# Special parameters and positional parameters
set -- a "b c" d
echo "count $#"
for a in "$@"; do echo "at [$a]"; done
for a in "$*"; do echo "star [$a]"; done
for a in $@; do echo "unq [$a]"; done
echo "first $1 second $2 third $3"
shift; echo "after shift $# $1"
shift 2; echo "after shift 2: $#"
set -- 1 2 3 4 5 6 7 8 9 10 11
echo "tenth ${10} eleventh ${11} $10"
set --; echo "none $#" "[$*]" "[$@]"
for a in "$@"; do echo never; done
false; echo "status $?"; true; echo "status $?"
(exit 7); echo "sub status $?"
IFS=:; set -- x y z; echo "joined $*"; echo "at $@"; IFS=' 	
'
f() { echo "func $# $1 $2"; }; f p q
test "$$" -gt 0 && echo pid-ok
echo "$0" | grep -q sh && echo name-ok || echo "name $0"
set -- "" ""; echo "empty args $#"; for a in "$@"; do echo "[$a]"; done
set -- "a b" c; g() { for x; do echo "g $x"; done; }; g "$@"
