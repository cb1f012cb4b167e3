import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** What the API's own answers (JSON, problem+json, NDJSON, metrics) may load: nothing. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const API_PATHS = /^\/(v1\/|health\/|metrics$)/;

/**
 * helmet's headers (nosniff, frame and referrer policies, HSTS, cross-origin policies) on every answer. Its
 * content security policy is left to the HTML pages (`/docs`, `/`), which know what they load; the API's own
 * answers get the strictest one.
 */
export function securityHeaders(): RequestHandler {
  const headers = helmet({ contentSecurityPolicy: false });
  return (req, res, next) => {
    if (API_PATHS.test(req.path)) res.setHeader('Content-Security-Policy', API_CSP);
    headers(req, res, next);
  };
}
