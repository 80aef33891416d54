// Mutation testing (`npm run test:mutation`, not part of `npm test`): scoped to
// the modules where a surviving mutant is a security or data bug. One module at
// a time: `npm run test:mutation -- --mutate 'lib/licenses/**/*.ts'`.
// Scores and the survivors judged equivalent: docs/testing/mutation-gaps.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  coverageAnalysis: "perTest",
  // A shared 2-core machine: two workers at most, and generous timeouts for a loaded one.
  concurrency: 2,
  timeoutMS: 15000,
  timeoutFactor: 2,
  // Static mutants (module-level constants) need every test re-run in a fresh process: too slow here.
  ignoreStatic: true,
  mutate: [
    "lib/licenses/**/*.ts",
    "lib/secrets/**/*.ts",
    "proxy/license-check.ts",
    "proxy/repository-path.ts",
    "proxy/customer-auth.ts",
    "proxy/customer-token.ts",
    "lib/images/**/*.ts",
    "lib/outbound/**/*.ts",
    "proxy/cache/blob-fill.ts",
    "proxy/cache/fill-sender.ts",
    "proxy/cache/hash-worker.ts",
    "proxy/cache/confirm-repository.ts",
    // Writes the bytes that are later served as verified: a bug here is a corrupt cache.
    "proxy/cache/direct-writer.ts",
    "!**/*.test.ts",
  ],
  ignorePatterns: [".stryker-tmp*", "dist", ".next", "reports", "test-results", "playwright-report", "bench/results", "coverage", ".pullgate", "!lib/generated/**"],
  tempDirName: ".stryker-tmp",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: null },
};
