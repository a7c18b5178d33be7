/** Address text types shared by the dataplane contracts (types.ts, l3-types.ts). */

/** A MAC address as text, `aa:bb:cc:dd:ee:ff`. */
export type MacText = string;
/** An IPv4 or IPv6 address as text. */
export type IpText = string;
