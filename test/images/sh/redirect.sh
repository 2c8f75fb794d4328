# Redirections and here-documents
echo first > out.txt
echo second >> out.txt
cat out.txt
cat < out.txt
echo err 2>/dev/null
{ echo to-stderr >&2; } 2>&1
{ echo out; echo err >&2; } > both.txt 2>&1; cat both.txt
{ echo x >&2; } 2>/dev/null; echo "discarded"
echo data 3>three.txt >&3; cat three.txt
exec 4>four.txt; echo via4 >&4; echo again >&4; exec 4>&-; cat four.txt
exec 5<out.txt; read l <&5; echo "read from 5: $l"; exec 5<&-
cat <<EOF
unquoted ${undefined:-dflt} $(echo cmd) $((1+1))
  indented \$escaped "quotes kept"
EOF
cat <<'EOF'
quoted $HOME $(echo no) \n
EOF
cat <<-EOF
	tab stripped
		twice
	EOF
cat <<"END" | tr a-z A-Z
piped heredoc
END
while read a b; do echo "$b-$a"; done <<EOF
1 one
2 two
EOF
x=$(cat <<EOF
in substitution
EOF
); echo "$x"
echo "no newline" > nonl.txt; wc -l < nonl.txt
: > empty.txt; wc -c < empty.txt
echo replaced > out.txt; cat out.txt
cat nonexistent 2>/dev/null || echo "cat failed $?"
echo a > f1; echo b > f2; cat f1 f2 > f3; cat f3
rm -f out.txt both.txt three.txt four.txt nonl.txt empty.txt f1 f2 f3
ls out.txt 2>/dev/null || echo removed
echo ok >&1
echo "to missing dir" > nodir/x 2>/dev/null || echo "redirect failed $?"
(exec >/dev/null; echo gone; ls /); echo "after exec in a subshell"
x=$(exec 2>/dev/null; echo in; ls /nonexistent); echo "x=$x"
exec 6>/dev/null; echo hidden >&6; echo "to fd 6 status $?"; exec 6>&-
{ echo a; ls / >/dev/null; echo b; } > /dev/null; echo "group to null $?"
