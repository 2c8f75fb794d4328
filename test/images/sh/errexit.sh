# set -e, set -u, set -x, exit
set -e
false || echo "or saves"
if false; then :; fi
! true
false && true
echo "still running"
f() { false; echo "not here"; }
f || echo "function failed in ||"
x=$(false) || echo "subst failed"
set +e
false; echo "off again $?"
set -u
(echo "$undefined_var") 2>/dev/null || echo "set -u caught"
echo "${undefined_var:-default ok}"
set +u
(set -x; echo traced) 2>/dev/null
sh -c 'exit 42'; echo "child exit $?"
sh -c 'set -e; false; echo no'; echo "child set -e $?"
(exit 300); echo "wraps $?"
set -e
trap 'echo "exit trap status $?"' EXIT
echo before
false
echo never
