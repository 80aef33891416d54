export type { CustomerPage, CustomerRow } from "@/lib/customers/list-customer-page";
