import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { createApiToken } from "@/lib/api-tokens/create-api-token";
import type { Actor } from "@/lib/auth/actor";

// Fixtures for API tests: real teams, users and API tokens in the test
// database, and a way to call route handlers without a server.

export type TeamFixture = { teamId: string; userId: string; email: string; token: string; actor: Actor };

export async function makeTeam(name = "Team"): Promise<TeamFixture> {
  const email = `owner-${randomUUID().slice(0, 8)}@example.com`;
  const { user, team } = await createVendor({ email, password: "correct-horse-battery", teamName: name });
  const { token, apiToken } = await createApiToken({ teamId: team.id, createdById: user.id, name: "tests" });
  return {
    teamId: team.id,
    userId: user.id,
    email,
    token,
    actor: { teamId: team.id, userId: user.id, tokenId: apiToken.id, role: "owner", label: "API token tests" },
  };
}

/** A user who is a read-only member of the team, with an API token acting as them. */
export async function makeMember(teamId: string): Promise<{ token: string; userId: string }> {
  const email = `member-${randomUUID().slice(0, 8)}@example.com`;
  const { user } = await createVendor({ email, password: "correct-horse-battery", teamName: "Own team" });
  await prisma.membership.create({ data: { userId: user.id, teamId, role: "member" } });
  const { token } = await createApiToken({ teamId, createdById: user.id, name: "member token" });
  return { token, userId: user.id };
}

type Handler = (request: Request, context?: { params?: Promise<Record<string, string>> }) => Promise<Response> | Response;

export type CallOptions = {
  token?: string | null;
  params?: Record<string, string>;
  body?: unknown;
  /** Sent verbatim instead of JSON.stringify(body). */
  rawBody?: string;
  query?: Record<string, string | undefined>;
  path?: string;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
export type CallResult = { status: number; json: any; headers: Headers; text: string };

export async function call(handler: Handler | undefined, method: string, options: CallOptions = {}): Promise<CallResult> {
  if (!handler) throw new Error(`route does not export ${method}`);
  const url = new URL(options.path ?? "/api/v1/test", "http://portal.test");
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.append(k, v);
  const headers = new Headers();
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers.set("content-type", "application/json");
  const response = await handler(new Request(url, { method, headers, body }), { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, json, headers: response.headers, text };
}

/** Everything the team has in the tables an API call could change, for "nothing changed" checks. */
export async function snapshotTeam(teamId: string): Promise<string> {
  const [apps, customers, licenses, audit] = await Promise.all([
    prisma.app.findMany({ where: { teamId }, orderBy: { id: "asc" } }),
    prisma.customer.findMany({ where: { teamId }, orderBy: { id: "asc" } }),
    prisma.license.findMany({ where: { teamId }, orderBy: { id: "asc" } }),
    prisma.auditEvent.count({ where: { teamId } }),
  ]);
  return JSON.stringify({ apps, customers, licenses, audit });
}
