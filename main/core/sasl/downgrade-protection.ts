import { createHash } from "node:crypto";

/** What the server advertised, exactly as received: the lists the XEP-0474 hash covers. */
export interface AdvertisedLists {
  mechanisms: string[];
  /**
   * XEP-0440 channel-binding types; null or empty when the server did not send
   * <sasl-channel-binding/> (XEP-0440 requires at least one type, so empty cannot mean "sent").
   */
  channelBindings: string[] | null;
}

type Hash = "sha1" | "sha256";

/** XEP-0474 (0.4.0 and later) "h" attribute: base64 of H(sorted mechanisms ␞ … ␟ sorted types ␞ …). */
export function downgradeProtectionHash(hash: Hash, lists: AdvertisedLists): string {
  return hashedJoin(hash, lists, "\x1e", "\x1f");
}

/**
 * XEP-0474 0.3.x "d" attribute, as sent by Prosody's mod_sasl_ssdp before 2025: the same lists
 * joined by "," and separated by "|".
 */
export function legacyDowngradeProtectionHash(hash: Hash, lists: AdvertisedLists): string {
  return hashedJoin(hash, lists, ",", "|");
}

function hashedJoin(hash: Hash, lists: AdvertisedLists, item: string, section: string): string {
  let text = sortOctets(lists.mechanisms).join(item);
  if (lists.channelBindings?.length) text += section + sortOctets(lists.channelBindings).join(item);
  return createHash(hash).update(text, "utf8").digest("base64");
}

/** RFC 4790 "i;octet" collation: compare the UTF-8 bytes. */
function sortOctets(values: string[]): string[] {
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}
