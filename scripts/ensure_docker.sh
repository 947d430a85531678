#!/usr/bin/env bash
# Gets a Docker engine and the local images the container tests use, with nothing pulled from a
# container registry:
#   - installs Debian's docker.io, docker-compose (1.29) and mmdebstrap when missing;
#   - starts dockerd in the background when `docker info` does not answer (log in .cache/dockerd.log);
#   - builds, once, the local base images (reused while their content hash label matches):
#       charthouse-local/debian:bookworm-minbase  Debian bookworm minbase + ca-certificates (mmdebstrap)
#       charthouse-local/node:20-bookworm-slim    + this machine's Node 20, npm and CA bundle
#       charthouse-local/debian:bookworm-peers    + Debian's postgresql, nats-server and nginx-light
#       charthouse-local/postgres:15, charthouse-local/nats:2.9, charthouse-local/nginx:local
# Idempotent: a second run installs and builds nothing.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$repo_root/.cache/docker"
mkdir -p "$cache"
export DOCKER_BUILDKIT=0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

declare -A wanted=([docker.io]=dockerd [docker-compose]=docker-compose [mmdebstrap]=mmdebstrap)
missing=()
for pkg in "${!wanted[@]}"; do
  if ! command -v "${wanted[$pkg]}" >/dev/null 2>&1 && [ ! -x "/usr/sbin/${wanted[$pkg]}" ]; then missing+=("$pkg"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "ensure_docker: installing ${missing[*]}" >&2
  if ! { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } >"$cache/apt.log" 2>&1; then
    echo "ensure_docker: apt-get failed; the end of its output ($cache/apt.log):" >&2
    tail -20 "$cache/apt.log" >&2
    exit 1
  fi
fi

if ! timeout 10 docker info >/dev/null 2>&1; then
  echo "ensure_docker: starting dockerd (log: .cache/docker/dockerd.log)" >&2
  "${sudo_cmd[@]}" sh -c "nohup /usr/sbin/dockerd >'$cache/dockerd.log' 2>&1 &"
  for _ in $(seq 1 60); do
    if timeout 5 docker info >/dev/null 2>&1; then break; fi
    sleep 1
  done
  if ! timeout 10 docker info >/dev/null 2>&1; then
    echo "ensure_docker: dockerd did not answer within 60 s; its log:" >&2
    tail -20 "$cache/dockerd.log" >&2 || true
    exit 1
  fi
fi

node_bin="$(readlink -f "$(command -v node)")"
npm_dir="$(readlink -f "$(dirname "$(readlink -f "$(command -v npm)")")/..")"
ca_bundle=/etc/ssl/certs/ca-certificates.crt
case "$("$node_bin" --version)" in v20.*) ;; *) echo "ensure_docker: $node_bin is not Node 20" >&2; exit 1 ;; esac

# The content hash of what an image is made from; an image already labelled with it is reused.
content_hash() { cat "$@" | sha256sum | cut -c1-16; }
image_hash() { docker image inspect --format '{{ index .Config.Labels "charthouse.hash" }}' "$1" 2>/dev/null || true; }

# rootfs TAG HASH PACKAGES: a Debian bookworm minbase root file system imported as TAG.
rootfs() {
  local tag="$1" hash="$2" packages="$3"
  if [ "$(image_hash "$tag")" = "$hash" ]; then return; fi
  echo "ensure_docker: making $tag with mmdebstrap (about a minute)" >&2
  local tar="$cache/rootfs-$hash.tar"
  "${sudo_cmd[@]}" mmdebstrap --quiet --variant=minbase --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    bookworm "$tar"
  docker import --change "LABEL charthouse.hash=$hash" --change 'CMD ["/bin/bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$tar" "$tag" >/dev/null
  rm -f "$tar"
}

# build TAG HASH DOCKERFILE CONTEXT [ARGS...]
build() {
  local tag="$1" hash="$2" dockerfile="$3" context="$4"
  shift 4
  if [ "$(image_hash "$tag")" = "$hash" ]; then return; fi
  echo "ensure_docker: building $tag" >&2
  docker build -q --label "charthouse.hash=$hash" -t "$tag" -f "$dockerfile" "$@" "$context" >/dev/null
}

self="${BASH_SOURCE[0]}"
minbase_hash="$(echo "minbase ca-certificates" | content_hash "$self" -)"
peers_packages="ca-certificates,postgresql-15,nats-server,nginx-light"
peers_hash="$(echo "peers $peers_packages" | content_hash "$self" -)"

rootfs charthouse-local/debian:bookworm-minbase "$minbase_hash" ca-certificates &
minbase_job=$!
rootfs charthouse-local/debian:bookworm-peers "$peers_hash" "$peers_packages" &
peers_job=$!
wait "$minbase_job"
wait "$peers_job"

# Node: this machine's node binary, npm and CA bundle, copied into a build context of their own.
node_hash="$( (echo "$minbase_hash"; "$node_bin" --version; "$npm_dir/bin/npm-cli.js" --version 2>/dev/null || true) | content_hash "$repo_root/docker/base/node.Dockerfile" "$ca_bundle" -)"
if [ "$(image_hash charthouse-local/node:20-bookworm-slim)" != "$node_hash" ]; then
  context="$(mktemp -d)"
  cp "$node_bin" "$context/node"
  cp -r "$npm_dir" "$context/npm"
  cp "$ca_bundle" "$context/ca-certificates.crt"
  build charthouse-local/node:20-bookworm-slim "$node_hash" "$repo_root/docker/base/node.Dockerfile" "$context"
  rm -rf "$context"
fi

peers="$repo_root/docker/peers"
build charthouse-local/postgres:15 "$(echo "$peers_hash" | content_hash "$peers/postgres.Dockerfile" "$peers/postgres_entrypoint.sh" -)" \
  "$peers/postgres.Dockerfile" "$peers"
build charthouse-local/nats:2.9 "$(echo "$peers_hash" | content_hash "$peers/nats.Dockerfile" -)" "$peers/nats.Dockerfile" "$peers"
build charthouse-local/nginx:local "$(echo "$peers_hash" | content_hash "$peers/nginx.Dockerfile" "$peers/nginx.conf" -)" \
  "$peers/nginx.Dockerfile" "$peers"
echo "ensure_docker: engine up, local base images ready" >&2
