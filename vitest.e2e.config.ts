import { defineConfig } from "vitest/config";

// Whole-stack tests: every service as its own process. Files run one after the other so that
// the service processes of one file do not starve another's on a 2-core machine.
export default defineConfig({
  test: {
    include: ["test/**/*_test.ts"],
    // One folder per run for the secrets tests use, every service's output and the API bodies
    // read; scanned for those secrets when the run ends (test/support/secret_check_global_setup.ts).
    globalSetup: ["test/support/secret_check_global_setup.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
