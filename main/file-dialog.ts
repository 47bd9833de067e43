import type { BaseWindow, Dialog, OpenDialogOptions } from "electron";
import type { CertificateFilePurpose, ChooseCertificateFile } from "./api/certificate-picks";

// Electron's open-file dialog, injected so that what Wren asks for is tested with a fake dialog.

export interface FileDialogDeps {
  dialog: Pick<Dialog, "showOpenDialog">;
  /** The window the dialog belongs to (modal on it); none while no window is open. */
  parent: () => BaseWindow | null;
}

const ALL_FILES = { name: "All files", extensions: ["*"] };

const DIALOGS: Record<CertificateFilePurpose, OpenDialogOptions> = {
  certificate: {
    title: "Choose your client certificate",
    buttonLabel: "Choose",
    properties: ["openFile", "dontAddToRecent"],
    filters: [
      {
        name: "Certificates (PEM, PKCS#12)",
        extensions: ["pem", "crt", "cer", "key", "p12", "pfx"],
      },
      ALL_FILES,
    ],
  },
  key: {
    title: "Choose the certificate's private key",
    buttonLabel: "Choose",
    properties: ["openFile", "dontAddToRecent"],
    filters: [{ name: "Private keys (PEM)", extensions: ["key", "pem"] }, ALL_FILES],
  },
};

/** Shows the dialog for one certificate or key file; null when the person cancels. */
export function createCertificateFileChooser(deps: FileDialogDeps): ChooseCertificateFile {
  return async (purpose) => {
    const options = structuredClone(DIALOGS[purpose]);
    const parent = deps.parent();
    const result = parent
      ? await deps.dialog.showOpenDialog(parent, options)
      : await deps.dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
}
