# Assorted idioms from real scripts
printf 'line one\n  two  spaced  \nthree\n' > input.txt
while IFS= read -r line; do echo "[$line]"; done < input.txt
n=0; while read -r l; do n=$((n + 1)); done < input.txt; echo "lines $n"
set -- $(echo a b c); echo "$# $2"
args='"x y" z'; eval "set -- $args"; echo "$# [$1]"
command echo via-command
[ -z "" ] && [ -n x ] && [ "a" = "a" ] && [ "a" != "b" ] && test ! -e nonexistent && echo tests-ok
[ 10 -gt 9 ] && [ 3 -le 3 ] && [ -f input.txt ] && [ -s input.txt ] && echo numeric-file-ok
cd nonexistent 2>/dev/null; echo "cd status $?"
f() { echo "in f"; exit 0; echo no; }
(f; echo not-here); echo "after exit in function $?"
echo 'return 5; echo no' > r.sh; . ./r.sh; echo "sourced return $?"
v=$(cat <<EOF
heredoc in subst $((2 * 21))
EOF
); echo "$v"
x=outer; g() { x=inner; }; g; echo "$x"
h() { local x; x=h-local; echo "$x"; }; h; echo "$x"
upper=$(echo hello | tr a-z A-Z); echo "$upper"
path=/a/b/c.d/e.tar.gz; base=${path##*/}; dir=${path%/*}; ext=${base#*.}; echo "$base $dir $ext"
count=$(ls input.txt r.sh | wc -l); echo "count $count"
set -- one; case "$1" in one|two) echo "matched $1";; *) echo other;; esac
for i in $(seq 3); do printf '%s,' "$i"; done; echo
i=0; until [ $i -ge 3 ]; do i=$((i + 1)); [ $i -eq 2 ] && continue; echo "u$i"; done
s="a,b,,c"; old=$IFS; IFS=,; set -- $s; IFS=$old; echo "$# fields: $*"
echo "${HOME:+home set}"
unset x; echo "${x:-unset}" "${x=now}" "$x"
printf '%s %s\n' a b c d
printf '%5s|%-5s|%05d|%x|%o|%c\n' ab cd 42 255 8 xyz
echo "$(( $(printf '%d' 7) + 1 ))"
trap 'echo trap-set' EXIT; trap - EXIT; echo "trap cleared"
echo "q: $(echo "it's" 'say "hi"')"
a=1; b=2; [ "$a" -lt "$b" ] && echo lt || echo ge
echo ${#PWD} > /dev/null && echo len-ok
set -- "a b" "c"; for x in "$@"; do printf '<%s>' "$x"; done; echo
echo "$*" "$@"
rm -f input.txt r.sh
