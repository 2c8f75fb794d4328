# cd pwd export unset read eval command type trap set exec source
mkdir -p d1/d2
cd d1; echo "pwd $(basename $(pwd))"; cd d2; cd ..; echo "up $(basename $PWD)"
cd - >/dev/null; echo "back $(basename $PWD)"; cd ../..
echo "OLDPWD set: ${OLDPWD:+yes}"
rm -r d1
export EX=exported; sh -c 'echo "child sees $EX"'
NOEX=local; sh -c 'echo "child sees [${NOEX-}]"'
TEMP=prefix sh -c 'echo "prefix $TEMP"'; echo "after [${TEMP-}]"
unset EX; echo "unset [${EX-}]"
cmd='echo evaluated $((2+2))'; eval "$cmd"
eval 'ev=1; echo "ev $ev"'
command -v echo; command -v nonexistent_cmd || echo "not found $?"
type true | head -n 1
f() { :; }; command -v f
echo "line one" | { read a b; echo "$b $a"; }
printf 'x y z\n' | { read -r a rest; echo "$a|$rest"; }
set -- p q; echo "$# $1"
echo 'echo sourced $1; sv=set' > lib.sh; . ./lib.sh; echo "sv=$sv"; rm lib.sh
(trap 'echo exit-trap' EXIT; echo body)
trap 'echo outer-trap' EXIT
t() { echo "trapped $1"; }
echo "exec in subshell: $(exec echo replaced)"
readonly RO=1; (RO=2) 2>/dev/null || echo "readonly enforced"
test 1 -eq 1 && [ a = a ] && [ ! -z x ] && echo tests
[ -d / ] && [ ! -f / ] && echo file-tests
printf '%d-%s-%03d\n' 5 abc 7
echo -n "no newline"; echo
v=$(pwd); [ "$v" = "$PWD" ] && echo pwd-matches
getopts ab: opt -a && echo "getopts $opt"
