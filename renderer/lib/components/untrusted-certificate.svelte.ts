import type { CertificateInfo, UserError } from "../../../preload/contract";

/**
 * A certificate the server showed that Wren could not verify, offered for the connection settings
 * it was shown for: changing them (the address, the server) withdraws the offer.
 */
export class UntrustedCertificate {
  #shown = $state.raw<{ certificate: CertificateInfo; settings: string } | null>(null);
  #settings: () => string;

  /** `settings` lists what the offer depends on, e.g. the address, host, port and TLS mode. */
  constructor(settings: () => readonly unknown[]) {
    this.#settings = () => JSON.stringify(settings());
  }

  /** The certificate to offer, or null when none was shown for the present settings. */
  get offered(): CertificateInfo | null {
    const shown = this.#shown;
    return shown?.settings === this.#settings() ? shown.certificate : null;
  }

  /** Offers the certificate of a certificate-untrusted error, for the present settings. */
  offerFrom(error: UserError): boolean {
    const certificate = error.code === "certificate-untrusted" ? error.certificate : undefined;
    this.#shown = certificate ? { certificate, settings: this.#settings() } : null;
    return this.#shown !== null;
  }

  withdraw(): void {
    this.#shown = null;
  }
}
