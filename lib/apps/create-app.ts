import { Prisma, type App } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ConflictError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { pickFields } from "@/lib/audit/diff-fields";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { createAppSchema, suggestAppSlug, type CreateAppInput } from "@/lib/apps/schemas";

export function slugTakenMessage(slug: string): string {
  return `The slug "${slug}" is already taken. Choose another.`;
}

/**
 * Creates an app. Slugs are unique across the whole installation because they
 * appear in image paths. A chosen slug that is taken is a 409; a slug
 * suggested from the name gets a numeric suffix until it is free.
 */
export async function createApp(actor: Actor, input: CreateAppInput): Promise<App> {
  assertCanWrite(actor);
  const data = parseOrThrow(createAppSchema, input);
  const slug = data.slug ?? (await firstFreeSlug(suggestAppSlug(data.name)));
  try {
    return await prisma.$transaction(async (tx) => {
      const app = await tx.app.create({ data: { teamId: actor.teamId, name: data.name, slug } });
      await recordAuditEvent(tx, {
        actor,
        action: "app.create",
        targetType: "app",
        targetId: app.id,
        targetName: app.name,
        after: pickFields(app, ["name", "slug"]),
      });
      return app;
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new ConflictError(slugTakenMessage(slug));
    }
    throw err;
  }
}

async function firstFreeSlug(base: string): Promise<string> {
  const taken = new Set(
    (await prisma.app.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })).map((a) => a.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, 40 - suffix.length).replace(/-+$/, "")}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
