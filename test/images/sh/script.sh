# A script in the usual style: getopts, set -eu, traps, temporary files, version strings
parse() {
  OPTIND=1
  while getopts "ab:c" opt "$@"; do
    case $opt in
      a) echo "flag a";;
      b) echo "b=$OPTARG";;
      c) echo "flag c";;
      ?) echo "bad";;
    esac
  done
  shift $((OPTIND - 1))
  echo "rest: $*"
}
parse -a -b val -c file1 file2
parse -ac -bx -- -notopt
parse file
set -eu
name=${1:-default}
echo "name=$name"
usage() { echo "usage: $0 [-v]" >&2; return 2; }
[ $# -eq 0 ] || usage
log() { printf '[%s] %s\n' "$1" "$2"; }
log INFO "starting up"
tmp=work.$$; mkdir "$tmp"; trap 'rm -rf "$tmp"; echo cleaned' EXIT
for i in 1 2 3; do echo "item $i" > "$tmp/f$i"; done
cat "$tmp"/f* | sort -r
total=0; for f in "$tmp"/*; do n=$(wc -l < "$f"); total=$((total + n)); done; echo "total $total"
if command -v sort >/dev/null 2>&1; then echo "has sort"; fi
ver="1.2.3"; major=${ver%%.*}; rest=${ver#*.}; minor=${rest%%.*}; echo "$major $minor"
case "$ver" in 1.*) echo "v1";; esac
: "${UNSET_WITH_DEFAULT:=fallback}"; echo "$UNSET_WITH_DEFAULT"
