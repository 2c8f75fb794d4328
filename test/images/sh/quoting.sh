# Quoting, escapes, simple commands, ; && ||
echo plain words   with   spaces
echo 'single $HOME "x"' "double 'y' \$z \"q\" \\ \`"
echo a\ b \$c \\d e\"f
echo "tab	inside" 'new
line'
x=value; echo "$x" '$x' "${x}" \$x
echo "a"'b'c"$x"'d'
echo ""; echo '' | cat -A 2>/dev/null || echo empty-ok
true && echo and-yes; false && echo and-no
false || echo or-yes; true || echo or-no
true && false || echo chain
echo semi; echo colon; :
echo "nested $(echo "inner $(echo deep)")"
echo \
continued line
printf '%s|' "spaced  arg" unquoted; echo
printf '%s\n' "$(printf 'x\n\n\n')" end
echo "${undefined}" "${undefined-}" x
