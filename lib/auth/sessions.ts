import { randomBytes } from "node:crypto";
import { prisma } from "@/lib/db/client";

// Server-side sessions behind the Auth.js cookie. The cookie (a signed,
// encrypted JWT) carries the session's id; each request checks that the row
// still exists, so deleting rows ends sessions at once: sign-out ends one,
// "sign out everywhere" and a password change end all of a user's.

export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** lastSeenAt is written at most this often per session: a page view is not worth a write each time. */
const TOUCH_EVERY_MS = 5 * 60_000;

export type SessionMeta = { userAgent?: string | null; ipAddress?: string | null };

export async function startSession(userId: string, meta: SessionMeta = {}, now = new Date()): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  await prisma.session.create({
    data: {
      id,
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000),
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      ipAddress: meta.ipAddress ?? null,
    },
  });
  // Expired rows of this user go when they sign in again.
  await prisma.session.deleteMany({ where: { userId, expiresAt: { lte: now } } });
  return id;
}

/** Whether the cookie's session still stands: the row exists, belongs to the user and has not expired. */
export async function isSessionActive(sessionId: unknown, userId: unknown, now = new Date()): Promise<boolean> {
  if (typeof sessionId !== "string" || typeof userId !== "string" || sessionId.length === 0 || sessionId.length > 100) return false;
  const session = await prisma.session.findUnique({ where: { id: sessionId }, select: { userId: true, expiresAt: true, lastSeenAt: true } });
  if (!session || session.userId !== userId || session.expiresAt.getTime() <= now.getTime()) return false;
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await prisma.session.updateMany({ where: { id: sessionId }, data: { lastSeenAt: now } });
  }
  return true;
}

export async function endSession(sessionId: unknown): Promise<void> {
  if (typeof sessionId !== "string") return;
  await prisma.session.deleteMany({ where: { id: sessionId } });
}

/** Ends every session of the user; returns how many there were. */
export async function endAllSessions(userId: string): Promise<number> {
  const { count } = await prisma.session.deleteMany({ where: { userId } });
  return count;
}

export async function countActiveSessions(userId: string, now = new Date()): Promise<number> {
  return prisma.session.count({ where: { userId, expiresAt: { gt: now } } });
}
