import { defineConfig } from "vitest/config";
import base from "./vitest.config";

// The tests `npm run test:mutation` (Stryker) runs against each mutant: the unit
// and in-process integration tests of the modules it mutates. None starts a
// container daemon, a registry process, the proxy as a child process or a
// browser: a mutant in a child process would not be seen by Stryker's per-test
// coverage, and those suites are too slow to run once per mutant on 2 cores.
// Nor do the suites that build teams in the database per file (argon2 sign-ups
// in beforeAll: seconds per mutant); the modules they cover have unit tests here.
export const MUTATION_TEST_FILES = [
  "lib/licenses/*.test.ts",
  "lib/images/*.test.ts",
  "lib/outbound/*.test.ts",
  "lib/customers/rewrite-image.test.ts",
  "lib/secrets/*.test.ts",
  "proxy/repository-path.test.ts",
  "proxy/license-check.test.ts",
  "proxy/customer-token.test.ts",
  "proxy/cache/*.test.ts",
  "tests/secrets/*.test.ts",
  "tests/outbound/outbound-connector.test.ts",
];

// Not mergeConfig: it would append to the base include list instead of replacing it.
export default defineConfig({ ...base, test: { ...base.test, include: MUTATION_TEST_FILES } });
