# Field splitting and IFS
v="a  b	c
d"
for w in $v; do echo "[$w]"; done
IFS=:; v="x::y:z:"; for w in $v; do echo "colon [$w]"; done
IFS=': '; v=" a : b  c:"; for w in $v; do echo "mixed [$w]"; done
IFS=; v="no split here"; for w in $v; do echo "empty [$w]"; done
unset IFS; v="  default   ifs  "; for w in $v; do echo "unset [$w]"; done
IFS=' 	
'
e=""; set -- $e; echo "empty expands to $# fields"
set -- "$e"; echo "quoted empty is $# field"
v="1 2 3"; set -- $v; echo "$# fields"
set -- x$e"y"; echo "$# $1"
s='*'; set -- "$s"; echo "$1"
IFS=,; read a b c <<EOF
one,two,three,four
EOF
echo "read [$a] [$b] [$c]"
IFS=' 	
'
read a b <<EOF
  lead  and   trailing  
EOF
echo "[$a] [$b]"
read -r line <<'EOF'
back\slash kept
EOF
echo "$line"
read line <<'EOF'
back\slash eaten
EOF
echo "$line"
printf 'a:b:c\n' | { IFS=: read x y; echo "x=$x y=$y"; }
test "${#IFS}" = 3 && echo "IFS is back to 3 characters"
