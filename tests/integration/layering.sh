#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# layering.sh - the layers of src/ as Makefile.am writes them, checked:
#   - a file in src/F/ includes only its own folder's headers and those of
#     the folders LAYER_RULES allows F ("F:G,H");
#   - an outside library's header (LAYER_SYSTEM, "header:F,G") is included
#     only in the folders named for it;
#   - every header names its folder ("base/buf.h", never "buf.h"), so that
#     the rule above can be read off the line;
#   - zsquery-fcgi links none of libcurl, libmariadb and jansson.
# A new folder with no rule fails too: the rules are the architecture.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_init layering
: "${LAYER_RULES:?}" "${LAYER_SYSTEM:?}"

declare -A allow sysallow
for r in $LAYER_RULES; do
	allow[${r%%:*}]=${r#*:}
done
for r in $LAYER_SYSTEM; do
	sysallow[${r%%:*}]=${r#*:}
done

# in_list WORD LIST: WORD is one of LIST's comma-separated words.
in_list() { case ",$2," in *",$1,"*) return 0 ;; esac; return 1; }

# check_tree ROOT: every include of ROOT/src/*/*.[ch] against the rules;
# sets BAD (broken includes, said on stderr) and CHECKED (includes read).
check_tree() {
	local f dir layer rel n line h
	BAD=0
	CHECKED=0
	for f in "$1"/src/*/*.[ch]; do
		dir=${f%/*}
		layer=${dir##*/}
		rel=src/$layer/${f##*/}
		if [ -z "${allow[$layer]+set}" ]; then
			t_log "$rel: folder src/$layer has no LAYER_RULES entry"
			BAD=$((BAD + 1))
			continue
		fi
		n=0
		while IFS= read -r line; do
			n=$((n + 1))
			case $line in
			'#include "'*)
				h=${line#'#include "'}
				h=${h%%'"'*}
				if [ "${h%%/*}" = "$h" ]; then
					t_log "$rel:$n: \"$h\" does not name its folder"
					BAD=$((BAD + 1))
				elif [ "${h%%/*}" != "$layer" ] &&
				    ! in_list "${h%%/*}" "${allow[$layer]}"; then
					t_log "$rel:$n: $layer may not include $h" \
					    "(allowed: ${allow[$layer]:-none})"
					BAD=$((BAD + 1))
				fi
				CHECKED=$((CHECKED + 1))
				;;
			'#include <'*)
				h=${line#'#include <'}
				h=${h%%'>'*}
				if [ -n "${sysallow[$h]+set}" ] &&
				    ! in_list "$layer" "${sysallow[$h]}"; then
					t_log "$rel:$n: <$h> belongs to" \
					    "${sysallow[$h]}"
					BAD=$((BAD + 1))
				fi
				CHECKED=$((CHECKED + 1))
				;;
			esac
		done <"$f"
	done
}

check_tree "$top_srcdir"
[ $BAD = 0 ] && ok || not_ok "$BAD includes break the layering (above)"
# The check read the tree: an empty walk would pass anything.
[ $CHECKED -gt 200 ] && ok || not_ok "only $CHECKED includes read"

# The check bites: a lower layer including a higher one, an outside
# library's header where it does not belong, a header without its folder
# and a folder without a rule are each caught (in a tree of our own).
mkdir -p "$T/src/store" "$T/src/query" "$T/src/nosuch"
printf '#include "query/query.h"\n' >"$T/src/store/up.c"
printf '#include <curl/curl.h>\n' >"$T/src/query/lib.c"
printf '#include "buf.h"\n' >"$T/src/query/bare.c"
printf '\n' >"$T/src/nosuch/x.c"
out=$(check_tree "$T" 2>&1)
for want in "src/store/up.c:1: store may not include query/query.h" \
    "src/query/lib.c:1: <curl/curl.h> belongs to upstream" \
    'src/query/bare.c:1: "buf.h" does not name its folder' \
    "src/nosuch/x.c: folder src/nosuch has no LAYER_RULES entry"; do
	case $out in
	*"$want"*) ok ;;
	*) not_ok "not caught: $want (got: $out)" ;;
	esac
done

# What the worker binary links (ldd: its direct and indirect libraries).
if command -v ldd >/dev/null; then
	libs=$(ldd "$FCGI")
	for l in libcurl libmariadb libjansson; do
		if printf '%s\n' "$libs" | grep -q "$l"; then
			not_ok "zsquery-fcgi links $l"
		else
			ok
		fi
	done
fi

t_done
