#!/usr/bin/env bash
# chroot-run.sh CHROOT [--bind PATH]... -- COMMAND [ARG]...
#
# Runs COMMAND inside the Debian chroot CHROOT (built by provision.sh), in a private mount
# namespace: /proc, /dev, the host's resolv.conf and CA bundle (pip behind this network needs
# it) and each PATH (a host directory: the project snapshot, the venv, cargo's and rustup's
# homes...) are mounted at the same paths inside. The mounts live only as long as COMMAND, so
# nothing stays mounted inside the chroot afterwards. The environment is passed through as is.
set -euo pipefail

if [ "${1:-}" != "--inside" ]; then
    [ "$(id -u)" = 0 ] || { echo "chroot-run.sh: needs root (chroot, mount)" >&2; exit 1; }
    exec unshare --mount --propagation private -- "$0" --inside "$@"
fi
shift
root="$(realpath "$1")"
shift
binds=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        --bind) binds+=("$(realpath "$2")"); shift 2 ;;
        --) shift; break ;;
        *) echo "chroot-run.sh: unexpected argument $1" >&2; exit 2 ;;
    esac
done
[ "$#" -gt 0 ] || { echo "chroot-run.sh: no command" >&2; exit 2; }
[ -x "$root/usr/bin/env" ] || { echo "chroot-run.sh: $root is not a chroot" >&2; exit 1; }

mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
bind_file() {  # bind_file HOST_FILE: the same file at the same path inside
    [ -f "$1" ] || return 0
    local inside="$root$1"
    if [ -L "$inside" ] || [ ! -f "$inside" ]; then
        rm -f "$inside"
        mkdir -p "$(dirname "$inside")"
        : > "$inside"
    fi
    mount --bind "$(realpath "$1")" "$inside"
}
bind_file /etc/resolv.conf
bind_file /etc/ssl/certs/ca-certificates.crt
for dir in "${binds[@]}"; do
    mkdir -p "$root$dir"
    mount --bind "$dir" "$root$dir"
done
exec chroot "$root" "$@"
