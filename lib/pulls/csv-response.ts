import type { Actor } from "@/lib/auth/actor";
import type { ExportPullsQuery } from "@/lib/pulls/schemas";
import { exportFileName, exportPullsCsv } from "@/lib/pulls/export-pulls-csv";

/** The streamed CSV download both export routes (API token and portal session) answer with. */
export function pullsCsvResponse(actor: Pick<Actor, "teamId">, query: ExportPullsQuery): Response {
  return new Response(exportPullsCsv(actor, query), {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${exportFileName(query)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
