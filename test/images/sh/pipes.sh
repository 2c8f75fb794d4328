# Pipelines of programs and builtins
seq 1 5 | sort -r | head -n 2
printf 'b\na\nc\n' | sort | tr a-z A-Z
yes | head -n 3
yes abc | head -n 2
seq 1 100000 | sort -n | tail -n 1
echo "one two three" | wc -w
seq 10 | grep 1 | wc -l
for i in 3 1 2; do echo $i; done | sort
seq 3 | while read n; do echo "n$n"; done
echo hi | cat | cat | cat
false | true; echo "last true $?"
true | false; echo "last false $?"
! false | false; echo "negated $?"
seq 1000 | head -n 1
echo text | { cat; echo appended; } | sort
seq 5 | { read a; read b; echo "$a+$b"; cat; }
printf 'x\ny\n' | grep -c .
count=0; seq 5 | while read l; do count=$((count+1)); done; echo "count after pipe $count"
seq 20 | tail -n 3 | head -n 1
while true; do echo y; done | head -n 2
nums() { i=0; while :; do echo $i; i=$((i + 1)); done; }; nums | head -n 3
(while :; do printf 'z\n'; done) | head -n 1
{ seq 3; echo after; } | tail -n 2
