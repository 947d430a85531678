import { defineConfig } from "vitest/config";

// Unit tests live beside the code (`*_test.ts`) and may use the local peers (Postgres, a private
// nats-server, nginx); whole-stack tests live in test/ and run with vitest.e2e.config.ts.
export default defineConfig({
  test: {
    include: ["apps/*/src/**/*_test.ts", "libs/*/src/**/*_test.ts", "bench/**/*_test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
