#!/usr/bin/env bash
# npm start: installs what is missing, starts Postgres and NATS if they are down, then runs every
# Charthouse service as its own process (each applies pending migrations under a lock).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure_node_modules.sh
bash scripts/ensure_services.sh
exec node --import tsx scripts/start_stack.ts
