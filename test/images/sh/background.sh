# Background jobs and wait
echo start
(echo bg-sub > bg1.txt) &
wait
cat bg1.txt
sh -c 'exit 3' &
p=$!
wait $p; echo "waited status $?"
[ -n "$p" ] && echo "have pid"
echo one > o1.txt & echo two > o2.txt &
wait
cat o1.txt o2.txt
f() { echo func-bg > fb.txt; }; f &
wait; cat fb.txt
x=val; { echo "$x in bg group" > g.txt; } & wait; cat g.txt
rm -f bg1.txt o1.txt o2.txt fb.txt g.txt
echo end
{ i=0; while [ $i -lt 40 ]; do x=$(echo bg$i); [ "$x" = "bg$i" ] || echo "BAD bg $x"; i=$((i+1)); done; } &
i=0; while [ $i -lt 40 ]; do y=$(echo fg$i); [ "$y" = "fg$i" ] || echo "BAD fg $y"; i=$((i+1)); done
wait; echo "two shells capture at once"
