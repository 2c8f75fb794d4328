# if / while / until / for / case / break / continue
if true; then echo if1; fi
if false; then echo no; elif true; then echo elif; else echo no; fi
if false; then echo no; else echo else; fi
if ! false; then echo negated; fi
i=0
while [ $i -lt 3 ]; do echo "while $i"; i=$((i + 1)); done
until [ $i -eq 0 ]; do echo "until $i"; i=$((i - 1)); done
for x in a b c; do echo "for $x"; done
for x in 1 2 3 4 5; do
  if [ $x -eq 2 ]; then continue; fi
  if [ $x -eq 4 ]; then break; fi
  echo "loop $x"
done
for i in 1 2; do for j in a b c; do
  [ $j = b ] && continue 2
  echo "$i$j"
done; done
for i in 1 2; do for j in a b; do echo "$i$j"; break 2; done; done
for w in apple banana cherry 42 x.y; do
  case $w in
    a*) echo "$w starts with a" ;;
    b*|c*) echo "$w starts with b or c" ;;
    [0-9]*) echo "$w is a number" ;;
    *.*) echo "$w has a dot";;
  esac
done
case "x y" in "x y") echo quoted-case;; esac
case foo in (f*) echo paren-pattern;; esac
case x in y) echo no;; esac; echo "no match status $?"
case '*' in \*) echo escaped-star;; esac
case abc in "a"*) echo quoted-prefix;; esac
pat='a*'; case abc in $pat) echo var-pattern;; esac
case abc in "$pat") echo no;; *) echo quoted-var-literal;; esac
while false; do :; done; echo "while status $?"
for x in; do echo never; done; echo "empty for"
n=0; while :; do n=$((n+1)); [ $n -ge 3 ] && break; done; echo "n=$n"
if [ -n "" ]; then :; fi; echo "if status $?"
x=3; [ $x -gt 2 ] && { echo group1; echo group2; }
