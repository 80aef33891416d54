/**
 * The registry columns a pull decision needs (proxy's authorization data and
 * the portal's catalog read the same ones, so both decide on the same record).
 */
export const registryRecordSelect = {
  id: true,
  provider: true,
  endpoint: true,
  name: true,
  username: true,
  secretCiphertext: true,
  allowHttp: true,
  allApps: true,
  updatedAt: true,
  apps: { select: { id: true } },
} as const;
