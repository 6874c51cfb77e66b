/**
 * XML in and out for the SOAP and metadata files the sandbox reads and writes.
 * Reading uses fast-xml-parser with namespace prefixes removed (Salesforce's
 * own clients use whatever prefixes they like: jsforce writes unprefixed
 * elements under a default namespace, others write `met:`), values kept as
 * text, and the repeatable elements named by the caller always arrays.
 * Writing is a small serializer: plain objects become elements, arrays repeat,
 * null becomes `xsi:nil="true"`, and an `@xsi:type` key becomes the attribute.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlNode = { [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[] | undefined;

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

/**
 * Parses XML; `arrays` names elements that may repeat. Prefixes are removed
 * unless `keepPrefixes` (for a caller that resolves namespaces itself).
 * Throws XmlError when the text is not well formed.
 */
export function parseXml(
  text: string,
  arrays: ReadonlySet<string> = new Set(),
  options: { keepPrefixes?: boolean } = {},
): XmlNode {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(`${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: !options.keepPrefixes,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => arrays.has(name),
  });
  return parser.parse(text) as XmlNode;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export type XmlOut = string | number | boolean | null | undefined | XmlOut[] | { [key: string]: XmlOut };

/** `<name>…</name>` for a value; undefined values are left out. */
export function toXml(name: string, value: XmlOut): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    const type = value['@xsi:type'];
    const attrs = typeof type === 'string' ? ` xsi:type="${escapeXml(type)}"` : '';
    const inner = Object.entries(value)
      .filter(([k]) => !k.startsWith('@'))
      .map(([k, v]) => toXml(k, v))
      .join('');
    return inner ? `<${name}${attrs}>${inner}</${name}>` : `<${name}${attrs}/>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The text of a parsed element (`<a>x</a>` → 'x'; an element with attributes keeps its text in '#text'). */
export function text(node: XmlValue): string | undefined {
  if (typeof node === 'string') return node;
  if (node && !Array.isArray(node) && typeof node === 'object') {
    const t = node['#text'];
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

/** Always an array: absent → [], one → [it]. */
export function list(node: XmlValue): XmlValue[] {
  if (node === undefined || node === '') return [];
  return Array.isArray(node) ? node : [node];
}
