#!/usr/bin/env bash
# lab --version, lab(1) and the bash completion, all three generated from the command line at build time:
# the page names every command and every option --help shows, groff reads it without a warning, and the
# completion completes commands, options, choices and nothing where a value is the user's.
# usage: docs_test.sh LAB BUILD_DIR VERSION
set -uo pipefail
lab=$1 build=$2 version=$3
page=$build/lab.1 completion=$build/lab.bash-completion
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

[ "$("$lab" --version)" = "lab $version" ] || fail "lab --version says '$("$lab" --version)', not 'lab $version'"
[ -s "$page" ] && [ -s "$page.gz" ] || fail "the build wrote no $page(.gz)"
cmp -s "$page" <(gzip -dc "$page.gz") || fail "$page.gz is not $page compressed"
grep -q "^\.TH LAB 1 \"\" \"lab $version\"" "$page" || fail "the page's title line does not carry version $version"

# Every command, nested ones too, and every long option of its --help, in that command's section.
commands=$("$lab" list | sed -n 's/^  lab \([a-z-]*\) .*/\1/p')
[ "$(echo "$commands" | wc -w)" -ge 9 ] || fail "lab list named too few commands: $commands"
section() { awk -v want=".SS \"lab $1\"" '$0 == want { on = 1; next } /^\.S[SH] / { on = 0 } on' "$page" | sed 's/\\-/-/g'; }
for c in $commands net\ up net\ down net\ exec net\ shell net\ status net\ watch net\ set; do
  body=$(section "${c//-/\\-}")
  [ -n "$body" ] || { fail "no section for lab $c"; continue; }
  # shellcheck disable=SC2086
  # The options --help lists (each line "  -b,--bind ADDR  ..."), not those its examples mention.
  for option in $("$lab" $c --help | sed -n 's/^  \(-[^ ]*\).*/\1/p' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    [ "$option" = --help ] && continue
    grep -q -- "^\.B $option\|^\.B -[A-Za-z0-9],$option" <<<"$body" || fail "lab $c: $option is in --help but not in the page"
  done
done
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  [ -z "$warnings" ] || fail "groff warns: $warnings"
  rendered=$(groff -man -Tutf8 "$page" 2>/dev/null | sed 's/.\x08//g')
  grep -q "lab tcp-echo --annotate" <<<"$rendered" || fail "the rendered page has no 'lab tcp-echo --annotate'"
else
  echo "note: groff is missing, so the page was not rendered (apt-get install groff-base)"
fi

# complete WORDS...: what _lab offers for the last word (the word being typed), one per line, sorted, and
# "<no file names>" when it also turns off bash's fallback to file names (compopt works only inside a real
# completion, so it is recorded here instead).
complete_words() {
  bash --norc --noprofile -c '
    source "$1"; shift
    no_files=
    compopt() { [ "$*" = "+o default" ] && no_files=1; return 0; }
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    _lab lab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    { [ ${#COMPREPLY[@]} -gt 0 ] && printf "%s\n" "${COMPREPLY[@]}"; [ -n "$no_files" ] && echo "<no file names>"; } | sort' \
    completion "$completion" "$@"
}
expect_completion() {
  local want=$1; shift
  local got; got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ] || fail "completing '$*': got '$got', expected '$want'"
}
bash -n "$completion" || fail "the completion is not valid bash"
expect_completion "tcp-echo" lab tcp
expect_completion "up" lab net u
expect_completion "set shell status" lab net s
expect_completion "--format" lab tcp-echo --form
expect_completion "json text" lab tcp-echo --format ""
expect_completion "loopback two-hosts" lab compare --topology ""
expect_completion "ack fin reply request syn syn-ack" lab net set --drop ""
expect_completion "http tcp udp" lab server ""
expect_completion "--bind --format --help --idle-timeout --port" lab server tcp ""  # tcp given: not offered again
expect_completion "http-ping https-ping" lab http
expect_completion "--keep-alive" lab http-ping --keep
expect_completion "client server" lab net exec ""
expect_completion "--client-ip" lab net up --cl
expect_completion "--mtu" lab net up --client-ip 10.0.0.2 --mt
expect_completion "<no file names>" lab tcp-echo --port ""        # the user's value: nothing offered
expect_completion "" lab net exec server -- python3 ""            # a program's arguments: bash's file names
expect_completion "" lab net exec server ""                       # the program: bash's file names
expect_completion "" lab annotate ""                              # a capture file: bash's file names
expect_completion "" lab tcp-echo --write ""                      # a file to write: bash's file names
expect_completion "--format" lab server tcp --for                 # the positional given, its options remain
expect_completion "--annotate" lab tcp-echo --ann
expect_completion "json text" lab tcp-echo --format =             # --format=<TAB>: bash splits at the =
expect_completion "json" lab tcp-echo --format = j
all=$(complete_words lab "" | tr '\n' ' ')
for c in $commands; do
  grep -qw -- "$c" <<<"$all" || fail "lab <TAB> does not offer $c"
done

[ "$failures" -eq 0 ] && echo "PASS: version, man page and completion" || { echo "$failures failure(s)"; exit 1; }
