// Just enough DER (X.690) to walk an X.509 certificate's outer structure.

export interface DerElement {
  tag: number;
  contents: Buffer;
  /** Offset just past this element in the buffer it was read from. */
  end: number;
}

export const DER_SEQUENCE = 0x30;
export const DER_OID = 0x06;
/** [0] EXPLICIT, as in RSASSA-PSS-params.hashAlgorithm. */
export const DER_CONTEXT_0 = 0xa0;

export function readDerElement(buffer: Buffer, offset = 0): DerElement {
  const tag = byteAt(buffer, offset);
  if ((tag & 0x1f) === 0x1f) throw new Error("DER: multi-byte tags are not supported");
  let length = byteAt(buffer, offset + 1);
  let start = offset + 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4) throw new Error("DER: unsupported length");
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + byteAt(buffer, start + i);
    start += lengthBytes;
  }
  const end = start + length;
  if (end > buffer.length) throw new Error("DER: element runs past the end of the data");
  return { tag, contents: buffer.subarray(start, end), end };
}

/** The elements inside a constructed element's contents, in order. */
export function readDerChildren(contents: Buffer): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = 0; offset < contents.length;) {
    const child = readDerElement(contents, offset);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** Dotted form of an OBJECT IDENTIFIER's contents, e.g. "1.2.840.10045.4.3.2". */
export function decodeOid(contents: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of contents) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  const [first = 0, ...rest] = arcs;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...rest].join(".");
}

export function expectTag(element: DerElement | undefined, tag: number): DerElement {
  if (element?.tag !== tag) throw new Error(`DER: expected tag 0x${tag.toString(16)}`);
  return element;
}

function byteAt(buffer: Buffer, offset: number): number {
  const byte = buffer[offset];
  if (byte === undefined) throw new Error("DER: truncated data");
  return byte;
}
