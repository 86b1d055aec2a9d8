#!/usr/bin/env bash
# Provisions the interpreters of the ABI matrix (tests/abi/matrix.py runs this first).
#
# Idempotent, and cached in a fixed directory outside the repository, $RJSON_ABI_CACHE
# (default ~/.cache/rjson-abi): once everything is there, a run only checks stamps.
#
#   host (Debian bookworm)  mmdebstrap, python3.11-dbg (3.11d) and its -dev/-venv packages
#   chroots/trixie          Debian trixie: python3.13-dbg (3.13d)
#   chroots/forky           Debian forky: python3.14, python3.14-dbg, python3.15, python3.15-dbg
#
# The pyenv interpreters (3.9 to 3.13 release builds) come with the machine image and are
# only looked up by matrix.py. A package that a suite does not have is skipped with a warning
# (forky moves); matrix.py then reports that interpreter as missing, which counts as failed.
# To provision a chroot again (e.g. after a package appeared): RJSON_ABI_REPROVISION=1.
set -euo pipefail

CACHE="${RJSON_ABI_CACHE:-$HOME/.cache/rjson-abi}"
HOST_PACKAGES=(mmdebstrap python3.11-dbg python3.11-dev python3.11-venv)
# Installed in every chroot with --include: a C compiler for the cc crate and the linker.
BASE_PACKAGES="ca-certificates,gcc,libc6-dev,binutils"
# Then one by one, so that a package a suite dropped does not fail the whole chroot.
TRIXIE_PACKAGES=(python3.13-dev python3.13-venv python3.13-dbg)
FORKY_PACKAGES=(python3.14-dev python3.14-venv python3.14-dbg python3.15-dev python3.15-venv python3.15-dbg)

log() { printf 'provision: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$CACHE/chroots" "$CACHE/logs"

# ---------------------------------------------------------------- host packages

missing=()
for pkg in "${HOST_PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
    log "apt-get install ${missing[*]}"
    apt-get update -qq >"$CACHE/logs/provision-host.log" 2>&1 \
        || { tail -20 "$CACHE/logs/provision-host.log" >&2; die "apt-get update failed"; }
    # python3.11-dbg must match Debian's python3.11 exactly: install them together.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${HOST_PACKAGES[@]}" \
        >>"$CACHE/logs/provision-host.log" 2>&1 \
        || { tail -20 "$CACHE/logs/provision-host.log" >&2; die "apt-get install ${missing[*]} failed"; }
fi

# ---------------------------------------------------------------- chroots

# The Debian mirror the host itself uses (the first non-security `.../debian` URI).
debian_mirror() {
    local uri
    uri="$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{for (i = 2; i <= NF; i++) print $i}';
              grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } \
            | grep -E '/debian/?$' | head -n 1 || true)"
    printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# Refuses to delete a directory that still has something mounted inside it.
safe_remove() {
    local dir="$1"
    [ -e "$dir" ] || return 0
    if awk -v d="$(realpath "$dir")/" '{ if (index($5 "/", d) == 1) found = 1 } END { exit !found }' /proc/self/mountinfo; then
        die "$dir still has mounts inside it; unmount them first"
    fi
    rm -rf --one-file-system "$dir"
}

# make_chroot NAME SUITE PACKAGE...: Debian SUITE in $CACHE/chroots/NAME with PACKAGEs.
make_chroot() {
    local name="$1" suite="$2"
    shift 2
    local dir="$CACHE/chroots/$name" stamp="$CACHE/chroots/$name.ready" logf="$CACHE/logs/provision-$name.log"
    local want="suite=$suite base=$BASE_PACKAGES packages=$*"
    if [ -z "${RJSON_ABI_REPROVISION:-}" ] && [ -d "$dir" ] && [ -f "$stamp" ] && [ "$(head -n 1 "$stamp")" = "$want" ]; then
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "need root to build the $suite chroot"
    local mirror
    mirror="$(debian_mirror)"
    log "building the $suite chroot in $dir from $mirror (log: $logf)"
    rm -f "$stamp"
    safe_remove "$dir.tmp"
    # Install the packages one by one inside the new chroot; record which ones are missing.
    local hook='for p in '"$*"'; do
        if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p"; then :;
        else echo "$p" >> /missing-packages; echo "WARNING: $p is not installable in '"$suite"'"; fi
    done; touch /missing-packages'
    # Check-Valid-Until: the mirror is frozen, so a suite's Release file may have expired.
    if ! mmdebstrap --variant=apt --mode=root \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --include="$BASE_PACKAGES" \
        --chrooted-customize-hook="$hook" \
        "$suite" "$dir.tmp" "deb $mirror $suite main" >"$logf" 2>&1; then
        tail -30 "$logf" >&2
        safe_remove "$dir.tmp"
        return 1
    fi
    safe_remove "$dir"
    mv "$dir.tmp" "$dir"
    { echo "$want"; echo "missing: $(tr '\n' ' ' < "$dir/missing-packages")"; } > "$stamp"
    if [ -s "$dir/missing-packages" ]; then
        log "WARNING: not in $suite: $(tr '\n' ' ' < "$dir/missing-packages")"
    fi
    log "$suite chroot ready"
}

# Both chroots at once: most of the time goes to downloads and dpkg, not the CPU.
pids=()
make_chroot trixie trixie "${TRIXIE_PACKAGES[@]}" & pids+=($!)
make_chroot forky forky "${FORKY_PACKAGES[@]}" & pids+=($!)
failed=0
for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
done
[ "$failed" = 0 ] || die "a chroot could not be built (see $CACHE/logs/provision-*.log)"
