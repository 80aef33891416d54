import type { App } from "@/lib/generated/prisma/client";

export type AppDto = { id: string; name: string; slug: string; createdAt: string };

/** The fields of an app the API and client components may see. */
export function toAppDto(app: Pick<App, "id" | "name" | "slug" | "createdAt">): AppDto {
  return { id: app.id, name: app.name, slug: app.slug, createdAt: app.createdAt.toISOString() };
}
