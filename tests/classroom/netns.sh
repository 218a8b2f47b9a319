# Sourced by the classroom tests: re-runs the calling script inside a private network namespace (its own loopback,
# so ports 65432 and 5005 are free and no traffic leaves it), or prints SKIP when the system allows none.
# Usage, at the top of a script:  source netns.sh "$@"
if [ -z "${LAB_TEST_IN_NETNS:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then unshare_flags=(-n); else unshare_flags=(-r -n); fi
  if ! unshare "${unshare_flags[@]}" true 2>/dev/null; then
    echo "SKIP: no private network namespace here (unshare ${unshare_flags[*]} failed), so the classic ports cannot be used safely"
    exit 0
  fi
  LAB_TEST_IN_NETNS=1 exec unshare "${unshare_flags[@]}" bash "$0" "$@"
fi
ip link set lo up
