#!/usr/bin/env bash
# Builds the offline sandbox base image without a container registry:
#   debootstrap (Debian minbase) + python3, git, patch, nodejs, ca-certificates -> docker import.
# Idempotent: skips all work when the image already exists (pass --force to rebuild), and
# serialises concurrent invocations with a lock. Users with a registry can instead set
# `sandbox.image` to an ordinary image (e.g. python:3.12-slim) that has bash, tar, git, patch
# and coreutils' timeout.
#
# Environment: CODEMONKEYS_BASE_IMAGE (default codemonkeys/sandbox-base:bookworm),
#   DEBIAN_SUITE (bookworm), DEBIAN_MIRROR (http://deb.debian.org/debian),
#   EXTRA_PACKAGES (comma-separated, added to --include).
set -euo pipefail
image="${CODEMONKEYS_BASE_IMAGE:-codemonkeys/sandbox-base:bookworm}"
suite="${DEBIAN_SUITE:-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
packages="python3,git,patch,nodejs,ca-certificates${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}"
force=0
[ "${1:-}" = "--force" ] && force=1
log() { printf '[base-image] %s\n' "$*"; }

command -v docker >/dev/null 2>&1 || { log "docker CLI missing (run scripts/provision.sh)"; exit 1; }
exec 9>"/tmp/codemonkeys-base-image.lock"
flock 9

if [ $force = 0 ] && docker image inspect "$image" >/dev/null 2>&1; then
  log "$image already present"; exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  [ "$(id -u)" = "0" ] || { log "debootstrap missing and not root: install debootstrap"; exit 1; }
  log "installing debootstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
[ "$(id -u)" = "0" ] || { log "debootstrap needs root"; exit 1; }

root="$(mktemp -d /tmp/codemonkeys-rootfs.XXXXXX)"
buildlog="$root.log"
trap 'rm -rf "$root" "$buildlog"' EXIT
log "debootstrap $suite into $root (about a minute)"
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$buildlog" 2>&1; then
  tail -30 "$buildlog"; exit 1
fi

# An unprivileged user for every execution (uid/gid 1000), and directories it owns.
chroot "$root" /usr/sbin/groupadd -g 1000 sandbox
chroot "$root" /usr/sbin/useradd -u 1000 -g 1000 -m -d /home/sandbox -s /bin/bash sandbox
mkdir -p "$root/workspace" "$root/scratch"
chroot "$root" chown 1000:1000 /workspace /scratch
# Smaller image: no package caches, docs or man pages (nothing in the sandbox needs them).
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log
# Pseudo-filesystems are provided by the engine at run time.
rm -rf "$root"/dev/* "$root"/proc/* "$root"/sys/*

log "importing as $image"
tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV LANG=C.UTF-8' \
  -c 'WORKDIR /workspace' \
  -c 'LABEL codemonkeys.base-image=1' \
  -c 'CMD ["/bin/bash"]' \
  - "$image" >/dev/null

# Fail now, not in the middle of a run, if something the sandbox relies on is missing.
log "verifying $image"
docker run --rm --network none --user 1000:1000 "$image" bash -c '
  for tool in bash tar git patch timeout sleep python3 node; do
    command -v "$tool" >/dev/null || { echo "missing: $tool"; exit 1; }
  done
  test -w /workspace && test -w /scratch && test "$(id -u)" = 1000' || {
  log "verification failed; removing $image"; docker image rm -f "$image" >/dev/null; exit 1; }
log "built $image"
