export const NS_ROSTER = "jabber:iq:roster";
export const NS_DELAY = "urn:xmpp:delay";
export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
/** XEP-0359 unique and stable stanza ids. */
export const NS_SID = "urn:xmpp:sid:0";
/** XEP-0184 message delivery receipts. */
export const NS_RECEIPTS = "urn:xmpp:receipts";
/** XEP-0333 displayed markers. */
export const NS_MARKERS = "urn:xmpp:chat-markers:0";
/** XEP-0085 chat state notifications. */
export const NS_CHAT_STATES = "http://jabber.org/protocol/chatstates";
/** XEP-0308 last message correction. */
export const NS_CORRECTION = "urn:xmpp:message-correct:0";
/** XEP-0334 message processing hints. */
export const NS_HINTS = "urn:xmpp:hints";
/** XEP-0313 message archive management. */
export const NS_MAM = "urn:xmpp:mam:2";
/** XEP-0059 result set management. */
export const NS_RSM = "http://jabber.org/protocol/rsm";
/** XEP-0297 stanza forwarding. */
export const NS_FORWARD = "urn:xmpp:forward:0";
/** XEP-0004 data forms. */
export const NS_DATA = "jabber:x:data";
/** XEP-0066 out-of-band data: the URL of a file a message carries. */
export const NS_OOB = "jabber:x:oob";
