/**
 * The renderer's Content Security Policy, sent as a response header with every file app:// serves.
 *
 * No 'unsafe-inline' anywhere. Measured in Chromium: what Svelte 5 does to style elements passes
 * without it — transitions run through element.animate(), and `style:` directives and dynamic
 * `style={…}` go through the CSSOM (style.setProperty, style.cssText). What it blocks: <style>
 * elements created at run time and setAttribute("style"), so components must not inject CSS (keep
 * Svelte's default external CSS). A static `style="…"` in a template still applies (Svelte clones it
 * from a <template>) but logs a violation, so prefer classes.
 *
 * connect-src is only 'self': the renderer never talks to the network; main does, over IPC.
 */
export function contentSecurityPolicy(extraConnectSources: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    ["connect-src 'self'", ...extraConnectSources].join(" "),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();
