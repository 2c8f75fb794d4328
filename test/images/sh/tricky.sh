# Corner cases: assignment order, functions in pipelines, quoting through new shells, $( case )
a=1 b=$a; echo "b=$b"
unset a b; a=2 b=$a sh -c 'echo "child b=$b"'
f() { echo a; echo b; }; g() { while read l; do echo "g:$l"; done; }
f | g
f | g | sort -r
x="it's \"q\" \$ \` \\ end"; h() { echo "$x"; }; h | cat; { echo "$x"; } | cat | cat
echo "$(case x in x) echo case-in-subst;; esac)"
echo "${u:-$(echo from-subst)}"
for i do echo "never $i"; done
set -- p1 p2; for i do echo "param $i"; done
case x in esac; echo "empty case $?"
y=pre; echo "${y#"p"}" "${y%"e"}"
echo $(echo a \
b)
# comment with it's quote
(set -e; f | { false; }; echo "pipe false not last") ; echo "status $?"
{ cd /; pwd; } | cat; pwd | grep -v '^/$' >/dev/null && echo "cwd unchanged by pipeline"
z=0; { z=1; } | cat; echo "z=$z"
echo a | exit 3; echo "exit in pipe $?"
k() { echo "k $1 $2"; }; k "x y" z &
wait
w=$(echo "  spaced  "); echo "[$w]"
echo "$(printf 'a\nb\n')" | wc -l
IFS=: ; read -r p q <<E
1:2:3
E
echo "$p|$q"; IFS=' 	
'
v=5; echo $((v<3?1:v>4?2:3))
echo "$((1+$(echo 2)))"
echo "${#}" "${##}" 2>/dev/null
n=3; while [ $n -gt 0 ]; do n=$((n-1)); [ $n = 1 ] && break; done; echo "n=$n"
echo 'a"b' "c'd" a\'b
printf '%s\n' *.nomatch
echo ~ | grep -q / && echo tilde
echo "tilde in quotes: ~"
var=~/x; echo "$var" | grep -q '^/' && echo tilde-assign
