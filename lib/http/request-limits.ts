// One bound for every request body the portal accepts (forms, server actions,
// Auth.js callbacks, the REST API): the largest real one is a customer with
// many entitlements or a registry's service-account key, a few KiB. The portal
// server refuses more with 413 before reading it (portal-server/body-limit.ts);
// next.config.js gives server actions the same bound.
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
