import type { CustomerDto } from "@/lib/customers/customer-dto";

/** A customer as the list shows it: the API's DTO plus its app and status label. */
export type CustomerRow = CustomerDto & { appName: string; statusLabel: string };

export type CustomerPage = { customers: CustomerRow[]; total: number; page: number; pageSize: number };
