# complete.zsh DIR DUMP LINE: print, one a line, the candidates zsh's
# completion system (compinit with dump file DUMP, fpath DIR first)
# offers for the last word of LINE, each as it would stand on the command
# line.  An interactive zsh in a zpty completes LINE; a compadd wrapper
# there logs every match added.
zmodload zsh/zpty || exit 1
dir=$1 dump=$2 line=$3
log=$(mktemp) || exit 1

# The wrapper, defined in the inner zsh.  Calls that only test or
# filter words (-O, -A, -D) add nothing.
compadd() {
	local -a gk_hidden gk_shown gk_probe gk_matches
	zparseopts -E p:=gk_hidden P:=gk_shown O:=gk_probe A:=gk_probe D:=gk_probe
	if (( ! $#gk_probe )); then
		builtin compadd -O gk_matches "$@"
		(( $#gk_matches )) && print -rl -- \
		    $IPREFIX$gk_hidden[2]$gk_shown[2]$^gk_matches >>$gk_log
	fi
	builtin compadd "$@"
}
# Ends the test: the line is dropped, never run, and DONE printed.
gk-done() {
	BUFFER='print D""ONE'
	zle accept-line
}

zpty gk 'TERM=vt100 zsh -f -i'
trap 'zpty -d gk; rm -f $log' EXIT
zpty -w gk "PS1='> ' LISTMAX=100000 gk_log=${(q)log} fpath=(${(q)dir} \$fpath)"
zpty -w gk "autoload -Uz compinit && compinit -u -d ${(q)dump}"
zpty -w gk "$(functions compadd gk-done)"
zpty -w gk 'zle -N gk-done && bindkey "^Xd" gk-done'
# Control characters the terminal's line discipline acts on (^U, ^C)
# would be lost while zsh is busy: only TAB and ^X d are typed.
zpty -w -n gk "$line"$'\t\C-Xd'
out=
until [[ $out == *DONE* ]]; do
	zpty -r gk out || exit 1
done
sort -u $log
