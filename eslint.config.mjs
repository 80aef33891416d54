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
    // A form handled in script must still say how it submits before the script has loaded: without
    // method or action the browser sends its fields, passwords included, in the URL of a GET.
    files: ["components/**/*.tsx", "app/**/*.tsx"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "JSXOpeningElement[name.name='form']:not(:has(JSXAttribute[name.name=/^(method|action)$/]))",
          message: 'Give every <form> a method or an action (method="post" for forms submitted in script), so fields never reach the URL.',
        },
      ],
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
