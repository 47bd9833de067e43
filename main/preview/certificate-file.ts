import { resolve } from "node:path";
import type { ChooseCertificateFile } from "../api/certificate-picks";
import { WrenError } from "../shared/errors";

/** The variables that stand in for the dialog: a file's path, for tests and development. */
export const PREVIEW_CERTIFICATE_VARIABLE = "WREN_PREVIEW_CERTIFICATE";
export const PREVIEW_CERTIFICATE_KEY_VARIABLE = "WREN_PREVIEW_CERTIFICATE_KEY";

/**
 * The browser preview has no system dialog and the page may not hand main a path: the certificate
 * "chosen" is the file named by WREN_PREVIEW_CERTIFICATE (its key, when asked for separately, by
 * WREN_PREVIEW_CERTIFICATE_KEY). Without them, choosing a certificate is not available.
 */
export function createPreviewCertificateChooser(
  env: Record<string, string | undefined> = process.env,
): ChooseCertificateFile {
  return async (purpose) => {
    const variable =
      purpose === "key" ? PREVIEW_CERTIFICATE_KEY_VARIABLE : PREVIEW_CERTIFICATE_VARIABLE;
    const path = env[variable];
    if (!path) {
      throw new WrenError(
        "not-available",
        `Choosing a certificate file is not available in the browser preview. Start it with ${variable} set to the file's path.`,
      );
    }
    return resolve(path);
  };
}
