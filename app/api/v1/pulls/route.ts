import { apiHandler } from "@/lib/api/api-handler";
import { listPullEvents } from "@/lib/pulls/list-pull-events";
import { listPullsQuerySchema } from "@/lib/pulls/schemas";

export const GET = apiHandler({ query: listPullsQuerySchema }, async ({ actor, query }) => listPullEvents(actor, query));
