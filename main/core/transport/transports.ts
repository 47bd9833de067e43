import ConnectionTCP from "@xmpp/tcp/lib/Connection.js";
import ConnectionTLS from "@xmpp/tls/lib/Connection.js";
import { VerifiedTlsSocket } from "./verified-tls-socket";

/** `xmpp://host:port`: a plain TCP stream that must be upgraded with STARTTLS (see starttls.ts). */
export class StartTlsTransport extends ConnectionTCP {}

/** `xmpps://host:port`: XEP-0368 direct TLS on Wren's verifying socket. */
export class DirectTlsTransport extends ConnectionTLS {}
(DirectTlsTransport.prototype as { Socket: unknown }).Socket = VerifiedTlsSocket;
