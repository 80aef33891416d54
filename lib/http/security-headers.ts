// Sent with every portal response (pages, API, assets, errors) by the portal
// server: no framing (clickjacking), no content sniffing, and no full URLs
// (which carry ids) leaked to other sites in Referer.
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
};
