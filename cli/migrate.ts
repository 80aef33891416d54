import { migrate } from "@/lib/db/migrate";
import { parseOptions } from "@/cli/usage";
import { withDatabase } from "@/cli/with-database";

export async function migrateCommand(args: string[]): Promise<number> {
  parseOptions(args, {});
  const { applied } = await withDatabase((databaseUrl) => migrate({ databaseUrl }), { migrateEmbedded: false });
  console.log(applied.length ? `Applied ${applied.length} migration(s).` : "No pending migrations.");
  return 0;
}
