import { defineConfig } from "vitest/config";

// Unit tests live beside the code (`*_test.ts`); whole-stack tests live in test/.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["apps/*/src/**/*_test.ts", "libs/*/src/**/*_test.ts"],
    testTimeout: 30_000,
  },
});
