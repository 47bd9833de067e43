export const NS_ROSTER = "jabber:iq:roster";
export const NS_DELAY = "urn:xmpp:delay";
export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
/** XEP-0359 unique and stable stanza ids. */
export const NS_SID = "urn:xmpp:sid:0";
