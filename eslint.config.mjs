// ESLint for the whole workspace: recommended JavaScript and typescript-eslint rules (not the
// type-checked ones: tsc already checks types, and they would make lint several times slower),
// module boundaries between the Nx projects (tags in each package.json under "nx"), and no
// import cycles. `npm run lint:eslint` lints everything in one call; each project's `lint` script
// runs tsc and then eslint on its own src/.
import { join } from "node:path";
import js from "@eslint/js";
import nx from "@nx/eslint-plugin";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

const root = import.meta.dirname;

// Files that only tests, benchmarks and the test peers load: they may import @charthouse/testing and
// `*_test_support.ts` files, which product code never does.
const testFiles = ["**/*_test.ts", "**/*_test.tsx", "**/*_test_support.ts", "test/**", "bench/**"];

// Who may import whom. `layer:base` marks the libraries at the bottom (errors, contracts, api-types,
// config, logging, concurrency) that everything may use and that import only each other. The domain (catalog)
// imports no adapter: it declares the ports that the adapters (db, messaging, registry clients)
// implement. Adapters never import the domain's consumers (service-runtime, stack, the apps); no
// library imports an app; no app imports another app.
const productConstraints = [
  { sourceTag: "layer:base", onlyDependOnLibsWithTags: ["layer:base"] },
  { sourceTag: "type:domain", onlyDependOnLibsWithTags: ["type:domain", "layer:base"] },
  { sourceTag: "type:adapter", onlyDependOnLibsWithTags: ["type:adapter", "type:domain", "layer:base"] },
  { sourceTag: "type:runtime", onlyDependOnLibsWithTags: ["type:runtime", "type:domain", "type:adapter", "layer:base"] },
  { sourceTag: "type:app", onlyDependOnLibsWithTags: ["type:runtime", "type:domain", "type:adapter", "layer:base"] },
  { sourceTag: "type:test-support", onlyDependOnLibsWithTags: ["type:test-support", "layer:base"] },
];

// Tests and test support may also import the test peers (@charthouse/testing), and the domain's
// tests may read real fixtures through an adapter (a chart archive, a database row).
const testConstraints = productConstraints.map((c) => ({
  ...c,
  onlyDependOnLibsWithTags: [
    ...new Set([...c.onlyDependOnLibsWithTags, "type:test-support", ...(c.sourceTag === "type:domain" ? ["type:adapter"] : [])]),
  ],
}));

const moduleBoundaries = (depConstraints) => ["error", { allow: [], enforceBuildableLibDependency: false, depConstraints }];

export default defineConfig(
  { ignores: ["**/node_modules/**", "**/dist/**", ".nx/**", ".cache/**", "coverage/**", "deploy/**", "docker/**"] },
  {
    files: ["**/*.{ts,tsx,mjs}"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    plugins: { "@nx": nx, "import-x": importX },
    settings: {
      // no-cycle parses the files it follows: TypeScript ones with typescript-eslint's parser.
      "import-x/extensions": [".ts", ".tsx", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      // Resolves the `.ts` import paths and the workspace packages (their exports point at src/*.ts)
      // as tsc does, so no-cycle follows imports across files and packages.
      "import-x/resolver-next": [
        createTypeScriptImportResolver({
          // Absolute: each project's `lint` script runs eslint from its own folder.
          project: [join(root, "tsconfig.json"), join(root, "apps/web/tsconfig.json")],
          noWarnOnMultipleProjects: true,
          // Workspace packages stay under node_modules/@charthouse, so no-cycle (ignoreExternal) stays
          // inside each package; cycles between packages are enforce-module-boundaries' to report.
          symlinks: false,
        }),
      ],
    },
    rules: {
      "@nx/enforce-module-boundaries": moduleBoundaries(productConstraints),
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/*_test_support.ts", "**/*_test_support"], message: "Test support is for tests only." }] },
      ],
      // `_name` marks a parameter kept for its position (handlers, callbacks).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
    },
  },
  {
    files: testFiles,
    rules: {
      "@nx/enforce-module-boundaries": moduleBoundaries(testConstraints),
      "no-restricted-imports": "off",
    },
  },
);
