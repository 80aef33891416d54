import { apiHandler } from "@/lib/api/api-handler";
import { exportPullsQuerySchema } from "@/lib/pulls/schemas";
import { pullsCsvResponse } from "@/lib/pulls/csv-response";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({ query: exportPullsQuerySchema }, async ({ actor, query }) => pullsCsvResponse(actor, query));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
