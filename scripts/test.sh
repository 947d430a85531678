#!/usr/bin/env bash
# npm test: installs what is missing (npm packages, Debian's nginx, docker-registry, skopeo, the
# helm CLI, Docker), starts Postgres, NATS and dockerd if they are down, type-checks and lints the
# workspace (ESLint: module boundaries, no import cycles), then runs the unit tests and the
# whole-stack tests against the real peers, the container tests among them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure_node_modules.sh
bash scripts/ensure_services.sh
bash scripts/ensure_test_peers.sh

# The container tests (test/image_test.ts, test/containers_test.ts) need a Docker engine and the
# local images: ensure_docker.sh installs Debian's docker.io, docker-compose and mmdebstrap when
# missing, starts dockerd when none answers, and builds the local base images once (reused by
# content hash). CHARTHOUSE_CONTAINER_TESTS=0 skips all of that and those two files.
if [ "${CHARTHOUSE_CONTAINER_TESTS:-1}" != "0" ]; then
  bash scripts/ensure_docker.sh
  export CHARTHOUSE_CONTAINER_TESTS=1
fi

echo "Type-checking and linting the workspace..." >&2
npx tsc -p tsconfig.json
npm run -s lint:eslint

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
