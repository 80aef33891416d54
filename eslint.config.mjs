import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: [".tmp/", "bench/results/", "node_modules/", ".next/", "dist/", "lib/generated/", ".pullgate/", "test-results/", "playwright-report/", "next-env.d.ts", ".stryker-tmp*/", "reports/"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // proxy/ and lib/ must never depend on the portal's routes or components.
    files: ["proxy/**/*.ts", "lib/**/*.ts", "lib/**/*.tsx"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["@/app/*", "@/components/*", "../app/*", "../components/*", "../../app/*", "../../components/*"] }],
    },
  },
);
