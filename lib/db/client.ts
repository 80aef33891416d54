import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { config } from "@/lib/config";
import { poolConfig } from "@/lib/db/connection";
import { markDatabaseUnavailable } from "@/lib/db/unavailable";

// One Prisma client per process. Next's dev server reloads modules, so the
// instance is parked on globalThis to avoid leaking connection pools.
const globalForPrisma = globalThis as unknown as { __pullgatePrisma?: PrismaClient };

export function createPrisma(url = config.databaseUrl, max = 10): PrismaClient {
  if (!url) {
    throw new Error("DATABASE_URL is not set: start Pullgate with `pullgate start` (embedded database) or set DATABASE_URL.");
  }
  // Reconnects by itself when the database restarts (lib/db/connection.ts).
  const adapter = new PrismaPg(poolConfig(url, max));
  return new PrismaClient({ adapter });
}

export function getPrisma(): PrismaClient {
  if (!globalForPrisma.__pullgatePrisma) globalForPrisma.__pullgatePrisma = withOutageDigest(createPrisma());
  return globalForPrisma.__pullgatePrisma;
}

/**
 * The portal's client: errors of an unreachable database carry a digest the
 * error page recognizes (lib/db/unavailable.ts), wherever a page queries.
 */
function withOutageDigest(client: PrismaClient): PrismaClient {
  return client.$extends({
    query: {
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (err) {
          throw markDatabaseUnavailable(err);
        }
      },
    },
  }) as unknown as PrismaClient;
}

/** Closes the process-wide client's pool, if one was opened; the next use opens a fresh one. */
export async function disconnectPrisma(): Promise<void> {
  const client = globalForPrisma.__pullgatePrisma;
  delete globalForPrisma.__pullgatePrisma;
  await client?.$disconnect();
}

/** Lazily connected client: importing this module never opens a connection. */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    const client = getPrisma();
    const value = Reflect.get(client, prop, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});
