#!/usr/bin/env bash
# npm test: installs what is missing (npm packages, Debian's nginx, docker-registry, skopeo, the
# helm CLI), starts Postgres and NATS if they are down, type-checks the workspace, then runs the
# unit tests and the whole-stack tests against the real peers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure_node_modules.sh
bash scripts/ensure_services.sh
bash scripts/ensure_test_peers.sh

# testcontainers needs a Docker engine; where none answers (this kind of machine) the tests use
# the PostgreSQL of DATABASE_URL and a private nats-server per test file. Say which.
if timeout 5 docker info >/dev/null 2>&1; then
  echo "Docker engine answers; the tests still use the local peers (DATABASE_URL, private nats-server)." >&2
else
  echo "No Docker engine answers: testcontainers is not used; tests run against PostgreSQL at" \
    "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432} (a database per test file) and a private nats-server per test file." >&2
fi

echo "Type-checking the workspace..." >&2
npx tsc -p tsconfig.json

mkdir -p .cache/test-results
status=0
npx vitest run --config vitest.config.ts --reporter=default --reporter=json \
  --outputFile.json=.cache/test-results/unit.json || status=$?
npx vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json \
  --outputFile.json=.cache/test-results/e2e.json || status=$?

node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of ["unit", "e2e"]) {
    const path = `.cache/test-results/${f}.json`;
    if (!fs.existsSync(path)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(path, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
'
exit "$status"
