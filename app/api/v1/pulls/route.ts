import { apiHandler } from "@/lib/api/api-handler";
import { listPullEvents } from "@/lib/pulls/list-pull-events";
import { listPullsQuerySchema } from "@/lib/pulls/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({ query: listPullsQuerySchema }, async ({ actor, query }) => listPullEvents(actor, query));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
