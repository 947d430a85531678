#!/usr/bin/env bash
# Starts the shared PostgreSQL and NATS JetStream when they do not answer, and waits (30 s at
# most) until they do. Idempotent. A service whose DATABASE_URL / NATS_URL names another host is
# left alone: it is not this machine's to start. NATS_STORE_DIR and NATS_LOG_FILE override where
# a started nats-server keeps its streams and log.
set -euo pipefail

deadline_seconds=30

# Prints "host port" of a URL such as postgres://user:pw@host:5432/db or nats://host:4222.
host_and_port() {
  local url="$1" default_port="$2" rest host port
  rest="${url#*://}"           # drop the scheme
  rest="${rest%%/*}"           # drop the path
  rest="${rest%%\?*}"          # drop a query
  rest="${rest%%,*}"           # first of a list of servers
  rest="${rest##*@}"           # drop user:password@
  if [[ "$rest" == \[*\]* ]]; then  # [::1]:port
    host="${rest%%]*}"; host="${host#[}"
    port="${rest##*]}"; port="${port#:}"
  else
    host="${rest%%:*}"
    port="${rest#"$host"}"; port="${port#:}"
  fi
  echo "${host:-127.0.0.1} ${port:-$default_port}"
}

is_local() {
  case "$1" in 127.0.0.1 | localhost | ::1 | 0.0.0.0) return 0 ;; *) return 1 ;; esac
}

tcp_answers() {
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# wait_until NAME COMMAND...: polls COMMAND until it succeeds or the deadline passes.
wait_until() {
  local name="$1"; shift
  local end=$((SECONDS + deadline_seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then
      echo "ensure_services: $name did not answer within ${deadline_seconds}s" >&2
      return 1
    fi
    sleep 0.2
  done
}

read -r pg_host pg_port < <(host_and_port "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" 5432)
if ! is_local "$pg_host"; then
  echo "ensure_services: DATABASE_URL points to $pg_host; not starting PostgreSQL"
elif pg_isready -q -h 127.0.0.1 -p "$pg_port"; then
  echo "ensure_services: PostgreSQL answers on 127.0.0.1:$pg_port"
else
  echo "ensure_services: starting PostgreSQL"
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  wait_until "PostgreSQL on 127.0.0.1:$pg_port" pg_isready -q -h 127.0.0.1 -p "$pg_port"
  echo "ensure_services: PostgreSQL answers on 127.0.0.1:$pg_port"
fi

read -r nats_host nats_port < <(host_and_port "${NATS_URL:-nats://127.0.0.1:4222}" 4222)
if ! is_local "$nats_host"; then
  echo "ensure_services: NATS_URL points to $nats_host; not starting NATS"
elif tcp_answers 127.0.0.1 "$nats_port"; then
  echo "ensure_services: NATS answers on 127.0.0.1:$nats_port"
else
  echo "ensure_services: starting NATS JetStream"
  # The machine page's command, matched by a pid file: with --exec alone, start-stop-daemon
  # would take any private nats-server of the tests for the shared one and start nothing.
  store_dir="${NATS_STORE_DIR:-/var/lib/nats-server}"
  mkdir -p "$store_dir"
  start-stop-daemon --start --oknodo --background --make-pidfile \
    --pidfile "/run/nats-server-$nats_port.pid" --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p "$nats_port" -js -sd "$store_dir" -l "${NATS_LOG_FILE:-/var/log/nats-server.log}"
  wait_until "NATS on 127.0.0.1:$nats_port" tcp_answers 127.0.0.1 "$nats_port"
  echo "ensure_services: NATS answers on 127.0.0.1:$nats_port"
fi
