# Parameter expansion
unset u; e=; v=hello.world.txt
echo "1 ${u:-dflt} ${e:-dflt} ${v:-dflt}"
echo "2 ${u-dflt} [${e-dflt}] ${v-dflt}"
echo "3 [${u:+alt}] [${e:+alt}] ${v:+alt} [${e+set}]"
echo "4 ${u:=assigned} $u"
echo "5 ${#v} ${#e} ${#u}"
echo "6 ${v%.*} ${v%%.*} ${v#*.} ${v##*.}"
echo "7 ${v%.txt} ${v#hello} ${v%nomatch}"
p=/usr/local/lib/file.tar.gz
echo "8 ${p##*/} ${p%/*} ${p%.gz} ${p#/usr/}"
echo "9 ${v%"."*} ${v#"hello."}"
star='*'; echo "10 ${v%$star}" "${v%"$star"}"
(: ${missing?is required}) 2>/dev/null; echo "11 status $?"
(: ${e:?null or unset}) 2>/dev/null; echo "12 status $?"
n=0; : ${n:=9}; echo "13 $n"
echo "14 ${u:-a b c}" ${u:-x y z}
set -- ${u:-one two three}; echo "15 $#"
echo "16 ${v:+"quoted alt"}"
x=abcabc; echo "17 ${x#*b} ${x##*b} ${x%b*} ${x%%b*}"
echo "18 ${x#[ab]} ${x%[bc]}"
long=aaaaaaaaaa; echo "19 ${#long} ${long#a*a}"
