#!/usr/bin/env bash
# Builds the offline sandbox base image without a container registry:
#   debootstrap (Debian bookworm, minbase) + python3, git, patch, coreutils, nodejs -> docker import.
# Skips all work when the image already exists. Users with a registry can instead set
# `sandbox.image` to an ordinary image (e.g. python:3.12-slim) that has git and patch.
set -euo pipefail
image="${CODEMONKEYS_BASE_IMAGE:-codemonkeys/sandbox-base:bookworm}"
log() { printf '[base-image] %s\n' "$*"; }

if docker image inspect "$image" >/dev/null 2>&1; then
  log "$image already present"; exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  [ "$(id -u)" = "0" ] || { log "debootstrap missing and not root"; exit 1; }
  log "installing debootstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
root="$(mktemp -d /tmp/codemonkeys-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT
log "debootstrap into $root (about a minute)"
debootstrap --variant=minbase --include=python3,git,patch,nodejs,ca-certificates bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -30 "$root.log"; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# An unprivileged user for every execution, and a workspace it owns.
chroot "$root" /usr/sbin/groupadd -g 1000 sandbox
chroot "$root" /usr/sbin/useradd -u 1000 -g 1000 -m -d /home/sandbox -s /bin/bash sandbox
mkdir -p "$root/workspace" "$root/scratch"
chroot "$root" chown 1000:1000 /workspace /scratch
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
log "importing as $image"
tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV LANG=C.UTF-8' \
  -c 'WORKDIR /workspace' \
  -c 'CMD ["/bin/bash"]' \
  - "$image" >/dev/null
log "built $image"
