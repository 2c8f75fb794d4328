# Subshells, command substitution, isolation
x=1; (x=2; echo "inside $x"); echo "outside $x"
(cd /; pwd); pwd | grep -q / && echo "cwd kept"
y=$(x=3; echo $x); echo "y=$y x=$x"
f() { echo "func in subst"; }; echo "$(f)"
hidden=unexported; echo "$(echo $hidden)"
(exit 3); echo "status $?"
echo $( (echo nested) )
z=`echo back`; echo "$z" `echo "quoted inner"`
echo "$(echo a; echo b)"
n=$(printf '%s\n' 1 2 3 | wc -l); echo "lines $n"
echo x | read v; echo "read in pipe [${v-}]"
echo abc | { read w; echo "group got $w"; }
v=$(exit 5); echo "subst status $?"
out=$(echo stdout; echo stderr >&2); echo "got $out"
(set -e; false; echo not-reached); echo "set -e in subshell status $?"
{ echo group; } | cat
( echo sub1; echo sub2 ) | sort -r
(trap 'echo sub-exit-trap' EXIT; echo in-sub); echo after-sub
a=$(for i in 1 2 3; do echo -n $i; done); echo "$a"
echo "$(( $(echo 2) * 3 ))"
long=$(i=0; while [ $i -lt 3000 ]; do echo line$i; i=$((i+1)); done); echo "${#long}"
