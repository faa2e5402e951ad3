#!/usr/bin/env bash
# Brings up what the test suite needs on a fresh machine of this kind, idempotently:
#   1. a Redis server on 127.0.0.1:6379 (installed from Debian's packages if missing),
#   2. a Docker engine (docker.io from Debian's packages if missing; dockerd started if none answers),
#   3. the offline sandbox base image (deploy/sandbox/build-base-image.sh, skipped when present).
# Integration tests FAIL, never skip, when one of these is missing, so this script runs first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[provision] %s\n' "$*"; }
# Parallel invocations (several `npm test` at once) must not start two daemons.
exec 8>/tmp/codemonkeys-provision.lock
# Bounded wait: a stuck holder must not hang the suite forever. Daemons started below close fd 8
# (`8>&-`) so they never keep holding the lock after this script ends.
if ! flock -w 600 8; then
  log "another provisioning run has held /tmp/codemonkeys-provision.lock for 10 minutes"
  exit 1
fi

apt_updated=0
apt_install() {
  if [ "$(id -u)" != "0" ]; then
    log "need to install $* but not root; install it yourself"; return 1
  fi
  if [ $apt_updated = 0 ]; then apt-get update -qq; apt_updated=1; fi
  # 8>&-: a package's post-install may start its daemon; it must not inherit the lock.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 8>&-
}

redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -u "$redis_url" ping 2>/dev/null | grep -q PONG
  else
    (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null
  fi
}
if redis_ping; then
  log "redis answers at $redis_url"
else
  command -v redis-server >/dev/null 2>&1 || { log "installing redis-server"; apt_install redis-server; }
  log "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null 8>&-
  for _ in $(seq 1 50); do redis_ping && break; sleep 0.1; done
  redis_ping || { log "redis did not come up"; exit 1; }
fi

docker_ok() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
wait_docker() { for _ in $(seq 1 "$1"); do docker_ok && return 0; sleep 0.3; done; return 1; }
if docker_ok; then
  log "docker engine answers${DOCKER_HOST:+ at DOCKER_HOST=$DOCKER_HOST}"
elif [ -n "${DOCKER_HOST:-}" ]; then
  # Starting a local daemon would not help a client pointed elsewhere.
  log "DOCKER_HOST=$DOCKER_HOST does not answer; fix it or unset it"; exit 1
elif pgrep -x dockerd >/dev/null 2>&1 && wait_docker 100; then
  log "docker engine was starting; it answers now"
else
  command -v dockerd >/dev/null 2>&1 || { log "installing docker.io"; apt_install docker.io; }
  command -v dockerd >/dev/null 2>&1 || { log "dockerd still missing"; exit 1; }
  log "starting dockerd"
  mkdir -p /var/log
  # A stale pid file from a dead daemon makes dockerd refuse to start.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then rm -f /var/run/docker.pid; fi
  setsid nohup dockerd >/var/log/codemonkeys-dockerd.log 2>&1 </dev/null 8>&- &
  wait_docker 100 || { log "dockerd did not come up; see /var/log/codemonkeys-dockerd.log"; tail -20 /var/log/codemonkeys-dockerd.log; exit 1; }
  log "docker engine up"
fi

bash "$here/deploy/sandbox/build-base-image.sh"
