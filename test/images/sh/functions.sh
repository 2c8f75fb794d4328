# Functions, local, return, recursion
greet() { echo "hello $1"; }
greet world
add() { echo $(($1 + $2)); }
echo "sum $(add 2 3)"
status() { return $1; }
status 4; echo "returned $?"
x=global
scope() { local x=local; echo "in $x"; inner; }
inner() { echo "inner sees $x"; }
scope; echo "after $x"
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1 - 1))) )); fi; }
echo "fact $(fact 6)"
counter=0; inc() { counter=$((counter + 1)); }; inc; inc; inc; echo "counter $counter"
args() { echo "$# args: $*"; shift; echo "then $*"; }; args a b c
set -- outer; pos() { echo "in $1"; }; pos inner; echo "out $1"
early() { echo before; return 0; echo after; }; early
loopret() { for i in 1 2 3; do [ $i = 2 ] && return 9; done; }; loopret; echo "loopret $?"
redefine() { echo one; }; redefine() { echo two; }; redefine
withredir() { echo "to file"; } > func.out; withredir; cat func.out; rm func.out
multi()
{
  echo "multi-line body"
}
multi
unset -f multi; multi 2>/dev/null || echo "unset -f worked"
sub() ( x=changed; echo "subshell body $x" ); sub; echo "x still $x"
lv() { local a=1 b; b=2; echo "$a$b"; }; lv; echo "[${a-}${b-}]"
