# Pathname expansion
mkdir -p g && cd g || exit 1
touch a.txt b.txt c.md .hidden ab abc
echo *
echo *.txt
echo ?.txt
echo [ab]*
echo [!a]*
echo a?c
echo *.none
echo "*.txt" '*'
echo .*[a-z]*
set -f; echo *.txt; set +f
mkdir -p sub/deep; touch sub/x.txt sub/deep/y.txt
echo sub/*
echo */*.txt
x='*.md'; echo $x "$x"
for f in *.txt; do echo "file $f"; done
case a.txt in *.txt) echo case-glob;; esac
cd .. && rm -r g
