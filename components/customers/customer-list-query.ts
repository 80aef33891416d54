import { customerSorts } from "@/lib/customers/list-options";

/** The URL's query keys the customer list reads and writes. */
export const CUSTOMER_LIST_KEYS = ["q", "type", "status", "lastPull", "sort", "order", "page", "appId"] as const;
export type CustomerListKey = (typeof CUSTOMER_LIST_KEYS)[number];
const DEFAULT_ORDER = { name: "asc", created: "desc", expiry: "asc" } as const;

/**
 * The list's state from the page URL and the /api/portal/customers query it
 * asks for. Shared by the browser (CustomerList) and the server page that
 * renders the first rows, so both name the same page the same way.
 */
export function customerListQuery(get: (key: CustomerListKey) => string | null | undefined, fixedAppId?: string) {
  const state = Object.fromEntries(CUSTOMER_LIST_KEYS.map((k) => [k, get(k) ?? ""])) as Record<CustomerListKey, string>;
  if (fixedAppId) state.appId = fixedAppId;
  const sort = (customerSorts as readonly string[]).includes(state.sort) ? (state.sort as (typeof customerSorts)[number]) : "created";
  const order = state.order === "asc" || state.order === "desc" ? state.order : DEFAULT_ORDER[sort];
  const page = Math.max(1, Number.parseInt(state.page, 10) || 1);
  const apiParams = new URLSearchParams();
  for (const key of ["q", "type", "status", "lastPull", "appId"] as const) if (state[key]) apiParams.set(key, state[key]);
  apiParams.set("sort", sort);
  apiParams.set("order", order);
  apiParams.set("page", String(page));
  return { state, sort, order, page, apiParams, apiQuery: apiParams.toString() };
}
