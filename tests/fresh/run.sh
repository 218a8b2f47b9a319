#!/usr/bin/env bash
# The README's promise on a fresh machine: debootstrap a minimal Debian of a given suite, clone this repository
# into it (with ../shared beside the clone, read-only, as CI has it) and run both README commands there:
#   ./setup.sh          must install, build and show the annotated lab
#   ./setup.sh test     must pass the whole suite, and say what it skipped
# then builds the .deb, installs it with apt there and runs /usr/bin/lab tcp-echo --annotate.
# Each command is timed; the figures go to the README.
#
# usage (as root):  tests/fresh/run.sh bookworm|trixie [WORK_DIR]      (12 and 13 work too)
#   WORK_DIR (default /var/tmp/lab-fresh) keeps one pristine debootstrap per suite (made once, ~2 min) and the
#   last run's root. LAB_FRESH_REBASE=1 makes the pristine copy anew. The run's log: WORK_DIR/SUITE.log.
#
# Why not plain chroot: the kernel refuses new user namespaces to a chrooted process, and the lab needs them.
# Here the new root is entered with pivot_root inside a private mount namespace, where it is the namespace's
# own root, as on a real machine. The network is the host's (apt needs Debian's mirror).
set -euo pipefail

suite=${1:-}
case "$suite" in
  12|bookworm) suite=bookworm ;;
  13|trixie) suite=trixie ;;
  *) echo "usage: tests/fresh/run.sh bookworm|trixie [WORK_DIR]" >&2; exit 2 ;;
esac
work=${2:-/var/tmp/lab-fresh}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
shared=$(readlink -f "$repo/../shared" 2>/dev/null || true)
mirror=${LAB_FRESH_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" -eq 0 ] || { echo "tests/fresh/run.sh: needs root (debootstrap, mounts)" >&2; exit 1; }
for tool in debootstrap unshare pivot_root git; do
  command -v "$tool" >/dev/null || { echo "tests/fresh/run.sh: $tool is missing (apt-get install debootstrap util-linux git)" >&2; exit 1; }
done
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "note: uncommitted changes are not tested: the clone takes what is committed ($(git -C "$repo" rev-parse --short HEAD))"
fi

mkdir -p "$work"
base=$work/base-$suite
root=$work/root-$suite
log=$work/$suite.log

if [ "${LAB_FRESH_REBASE:-0}" = 1 ] || [ ! -e "$base/.complete" ]; then
  rm -rf "$base"
  echo "==> debootstrap $suite (minbase + git, sudo) into $base"
  debootstrap --variant=minbase --include=git,sudo,ca-certificates "$suite" "$base" "$mirror" >"$work/debootstrap-$suite.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap-$suite.log"; echo "tests/fresh/run.sh: debootstrap failed" >&2; exit 1; }
  touch "$base/.complete"
fi

echo "==> fresh root $root"
rm -rf "$root"
cp -a "$base" "$root"
rm -f "$root/.complete"
cp /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q "$repo" "$root/root/lab"
mkdir -p "$root/root/shared"

# Inside: a private mount namespace whose root becomes the new system; proc, sys and dev as on a real machine;
# ../shared bind-mounted read-only. Then the two README commands, timed, as a new user would type them.
inner=$(cat <<'EOF'
set -euo pipefail
root=$1 shared=$2
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/tmp"
if [ -n "$shared" ] && [ -d "$shared" ]; then
  mount --bind "$shared" "$root/root/shared"
  mount -o remount,bind,ro "$root/root/shared"
fi
mkdir -p "$root/.old-root"
cd "$root"
pivot_root . .old-root
umount -l /.old-root
rmdir /.old-root
exec env -i HOME=/root USER=root LOGNAME=root TERM=dumb LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c '
    set -uo pipefail
    cd /root/lab
    . /etc/os-release; echo "==> inside: $PRETTY_NAME, kernel $(uname -r), $(nproc) cores, as $(id -un)"
    t0=$(date +%s)
    ./setup.sh </dev/null >/tmp/run.out 2>&1; rc=$?
    t1=$(date +%s)
    cat /tmp/run.out
    echo "==> ./setup.sh: exit $rc after $((t1 - t0)) s"
    [ $rc -eq 0 ] || exit 1
    grep -q "Handshake 1/3" /tmp/run.out || { echo "==> ./setup.sh did not show the annotated handshake"; exit 1; }
    ./setup.sh test </dev/null; rc=$?
    t2=$(date +%s)
    echo "==> ./setup.sh test: exit $rc after $((t2 - t1)) s"
    [ $rc -eq 0 ] || exit $rc
    # The lab room: the .deb built here, installed with apt on this fresh system, and run from /usr/bin.
    (cd build && cpack -G DEB) >/tmp/cpack.out 2>&1 || { cat /tmp/cpack.out; echo "==> cpack -G DEB failed"; exit 1; }
    deb=$(ls build/package/lab_*.deb)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/tmp/apt.out 2>&1 ||
      { cat /tmp/apt.out; echo "==> apt-get install $deb failed"; exit 1; }
    cd / && /usr/bin/lab --version && /usr/bin/lab tcp-echo --annotate >/tmp/deb.out 2>&1 &&
      grep -q "Handshake 1/3" /tmp/deb.out && [ -s /usr/share/man/man1/lab.1.gz ] &&
      [ -s /usr/share/bash-completion/completions/lab ] ||
      { cat /tmp/deb.out; echo "==> the installed lab did not run, or its page or completion is missing"; exit 1; }
    echo "==> $deb: installed with apt, /usr/bin/lab tcp-echo --annotate ran ($(dpkg-query -W -f="\${Depends}" lab))"
  '
EOF
)
echo "==> running both README commands in $suite (log: $log)"
set +e
unshare --mount --propagation private bash -c "$inner" inner "$root" "$shared" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "==> $suite: $( [ "$rc" -eq 0 ] && echo PASSED || echo "FAILED (exit $rc)" ) — log $log"
exit "$rc"
