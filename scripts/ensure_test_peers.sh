#!/usr/bin/env bash
# Installs what the tests' real peers need (nginx, docker-registry, htpasswd, skopeo, unzip, openssl, promtool,
# Debian's chromium for the browser tests, the helm CLI) when it is missing. Idempotent: a second
# run installs nothing.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# package -> a command it provides
declare -A wanted=(
  [nginx]=nginx
  [docker-registry]=docker-registry
  [apache2-utils]=htpasswd
  [skopeo]=skopeo
  [unzip]=unzip
  [chromium]=chromium
  # selfSignedCertificate and the token server make keys and certificates with the openssl CLI,
  # which Debian's slim images lack.
  [openssl]=openssl
  # promtool checks every service's /metrics exposition and the Helm chart's alert rules.
  [prometheus]=promtool
)

missing=()
for pkg in "${!wanted[@]}"; do
  if ! command -v "${wanted[$pkg]}" >/dev/null 2>&1 && [ ! -x "/usr/sbin/${wanted[$pkg]}" ]; then
    missing+=("$pkg")
  fi
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

# Stops a daemon a package may have started (the tests run their own, unprivileged copies).
stop_system_daemon() {
  local name="$1" pidfile="$2"
  if [ -f "$pidfile" ]; then
    echo "ensure_test_peers: stopping the system $name that its package started"
    "${sudo_cmd[@]}" start-stop-daemon --stop --oknodo --quiet --retry 10 --pidfile "$pidfile" || true
  fi
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    "${sudo_cmd[@]}" systemctl disable --now "$name" >/dev/null 2>&1 || true
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "ensure_test_peers: installing ${missing[*]}"
  # Keep package scripts from starting nginx on :80, docker-registry on :5000 and prometheus on :9090.
  added_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo_cmd[@]}" chmod +x /usr/sbin/policy-rc.d
    added_policy=1
  fi
  status=0
  {
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  } || status=$?
  if [ "$added_policy" -eq 1 ]; then "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d; fi
  if [ "$status" -ne 0 ]; then
    echo "ensure_test_peers: apt-get failed (exit $status)" >&2
    exit "$status"
  fi
  stop_system_daemon nginx /run/nginx.pid
  stop_system_daemon docker-registry /run/docker-registry.pid
  stop_system_daemon prometheus /run/prometheus/prometheus.pid
else
  echo "ensure_test_peers: apt packages already present"
fi

cd "$repo_root"
npx --no-install tsx scripts/install_helm.ts
