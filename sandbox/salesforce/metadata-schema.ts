/**
 * The Metadata API's XML schema, read from Salesforce's own Metadata WSDL,
 * version 62.0 (`../shared/reference/salesforce/metadata/metadata-v62.0.wsdl`:
 * github.com/forcedotcom/wsdl `resources/metadata.wsdl` at 813c5dea7e, the
 * repository behind npm `@salesforce/types`; see the README there), and a
 * checker of metadata files against it, as a deploy parses them:
 *
 * - every element is one the type declares, in the order of its
 *   `xsd:sequence` (a base type's elements first, for `xsd:extension`);
 * - an element that may not repeat (`maxOccurs` 1), or a repeating one whose
 *   occurrences are not side by side, is duplicated;
 * - every element without `minOccurs="0"` is there;
 * - text is of its type: the enumerations (FieldType, FlowProcessType, …),
 *   `xsd:boolean`, `xsd:int`, `xsd:double`, dates and times.
 *
 * The WSDL uses only sequences, extensions, enumerations and one pattern, so
 * a small walker covers it; no XSD engine is installed in the project.
 *
 * The problem texts are Salesforce's, as deploys report them in
 * componentFailures[].problem (prefixed "Error parsing file: "): "Element
 * {http://soap.sforce.com/2006/04/metadata}calloutOptions invalid at this
 * location in type NamedCredential", "Element profileActionOverrides is
 * duplicated at this location in type CustomApplication", "'DefaultOn' is not
 * a valid value for the enum 'PermissionSetTabVisibility'", "Required field is
 * missing: language". The texts for a malformed boolean, number or date
 * follow the enum's wording (their real wording was not found published).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

/** Where CI has the WSDL: `../shared` beside the clone. */
export const METADATA_WSDL = fileURLToPath(
  new URL('../../../shared/reference/salesforce/metadata/metadata-v62.0.wsdl', import.meta.url),
);

interface ElementDecl {
  name: string;
  /** `xsd:string`, or a schema type's name without its `tns:` prefix. */
  type: string;
  min: number;
  max: number;
  nillable: boolean;
}

interface ComplexType {
  base?: string;
  own: ElementDecl[];
  /** `xsd:any` in the sequence: the element takes any content. */
  open: boolean;
}

interface SimpleType {
  enumeration?: ReadonlySet<string>;
  pattern?: RegExp;
  length?: number;
}

/** A file the Metadata API would refuse, and where. */
export interface MetadataProblem {
  problem: string;
  lineNumber: number;
  columnNumber: number;
}

type Raw = Record<string, unknown>;
const asArray = (v: unknown): Raw[] => (v === undefined ? [] : Array.isArray(v) ? (v as Raw[]) : [v as Raw]);
const local = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/** Lexical forms of the XSD built-in types the WSDL uses (XML Schema Part 2, §3.2). */
const BUILT_IN: Record<string, (text: string) => boolean> = {
  'xsd:string': () => true,
  'xsd:anyType': () => true,
  'xsd:boolean': (t) => /^(true|false|1|0)$/.test(t),
  'xsd:int': (t) => /^[+-]?\d+$/.test(t) && Math.abs(Number(t)) <= 2 ** 31 - (t.startsWith('-') ? 0 : 1),
  'xsd:double': (t) => /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|-?INF|NaN)$/.test(t),
  'xsd:date': (t) => /^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/.test(t),
  'xsd:dateTime': (t) => /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(t),
  'xsd:time': (t) => /^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(t),
};

export class MetadataSchema {
  private readonly complex = new Map<string, ComplexType>();
  private readonly simple = new Map<string, SimpleType>();
  private readonly sequences = new Map<string, ElementDecl[]>();

  constructor(wsdl: string) {
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      isArray: (name) =>
        ['xsd:complexType', 'xsd:simpleType', 'xsd:element', 'xsd:enumeration', 'xsd:any'].includes(name),
    });
    const doc = parser.parse(wsdl) as Raw;
    const schema = ((doc.definitions as Raw | undefined)?.types as Raw | undefined)?.['xsd:schema'] as
      Raw | undefined;
    if (!schema) throw new Error('not a WSDL with an embedded xsd:schema');
    for (const t of asArray(schema['xsd:complexType'])) this.complex.set(String(t['@name']), complexOf(t));
    for (const t of asArray(schema['xsd:simpleType'])) {
      const r = (t['xsd:restriction'] ?? {}) as Raw;
      const values = asArray(r['xsd:enumeration']).map((e) => String(e['@value']));
      const pattern = (r['xsd:pattern'] as Raw | undefined)?.['@value'];
      const length = (r['xsd:length'] as Raw | undefined)?.['@value'];
      this.simple.set(String(t['@name']), {
        enumeration: values.length ? new Set(values) : undefined,
        pattern: pattern === undefined ? undefined : new RegExp(`^(?:${String(pattern)})$`),
        length: length === undefined ? undefined : Number(length),
      });
    }
  }

  hasType(name: string): boolean {
    return this.complex.has(name);
  }

  /** The elements of a complex type in schema order, its bases' first. */
  sequence(type: string): readonly ElementDecl[] {
    let seq = this.sequences.get(type);
    if (!seq) {
      const t = this.complex.get(type);
      if (!t) throw new Error(`the Metadata WSDL has no complex type ${type}`);
      seq = [...(t.base ? this.sequence(t.base) : []), ...t.own];
      this.sequences.set(type, seq);
    }
    return seq;
  }

  /** The values of an enumeration, e.g. `enumeration('FieldType')`. */
  enumeration(type: string): readonly string[] {
    return [...(this.simple.get(type)?.enumeration ?? [])];
  }

  /**
   * The first thing a deploy would refuse in a metadata file whose root
   * element must be `rootType` (CustomObject, Flow, Package, …), or
   * undefined when the file is valid. Not well-formed XML is the caller's
   * to report (the sandbox's parseXml does).
   */
  check(xml: string, rootType: string): MetadataProblem | undefined {
    const parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      captureMetaData: true,
    });
    const nodes = parser.parse(xml) as OrderedNode[];
    const at = positions(xml);
    const fail = (problem: string, node: OrderedNode | undefined): MetadataProblem => ({
      problem,
      ...at(node),
    });
    const root = elementsOf(nodes)[0];
    if (!root) return fail(`Error parsing file: no root element; expected ${rootType}`, undefined);
    const rootName = nameOf(root);
    if (rootName !== rootType)
      return fail(`Error parsing file: Element {${METADATA_NS}}${rootName} invalid at this location`, root);
    if (attrsOf(root).xmlns !== METADATA_NS)
      return fail(
        `Error parsing file: the root element ${rootName} must be in the namespace ${METADATA_NS}`,
        root,
      );
    const problem = this.checkComplex(root, rootType);
    return problem ? fail(`Error parsing file: ${problem.text}`, problem.node) : undefined;
  }

  private checkComplex(node: OrderedNode, type: string): { text: string; node: OrderedNode } | undefined {
    const declared = this.complex.get(type);
    if (declared?.open) return undefined;
    const seq = this.sequence(type);
    const children = elementsOf(childrenOf(node));
    const seen = new Set<string>();
    let i = 0;
    let count = 0;
    const missing = (from: number, to: number) => {
      for (let k = from; k < to; k++) {
        const had = k === i ? count : 0;
        if (had < seq[k]!.min) return `Required field is missing: ${seq[k]!.name}`;
      }
      return undefined;
    };
    for (const child of children) {
      const name = nameOf(child);
      const invalid = {
        text: `Element {${METADATA_NS}}${name} invalid at this location in type ${type}`,
        node: child,
      };
      const duplicated = {
        text: `Element ${name} is duplicated at this location in type ${type}`,
        node: child,
      };
      if (seq[i]?.name === name && count > 0) {
        if (count >= seq[i]!.max) return duplicated;
        count++;
      } else {
        const j = seq.findIndex((e, k) => k >= i && e.name === name);
        if (j < 0) return seen.has(name) ? duplicated : invalid;
        const skipped = missing(i, j);
        if (skipped) return { text: skipped, node: child };
        i = j;
        count = 1;
      }
      seen.add(name);
      const problem = this.checkValue(child, seq[i]!, type);
      if (problem) return problem;
    }
    const skipped = missing(i, seq.length);
    return skipped ? { text: skipped, node } : undefined;
  }

  private checkValue(
    node: OrderedNode,
    decl: ElementDecl,
    parent: string,
  ): { text: string; node: OrderedNode } | undefined {
    const attrs = attrsOf(node);
    if (decl.nillable && attrs['xsi:nil'] === 'true') return undefined;
    const declaredType = attrs['xsi:type'] ? local(attrs['xsi:type']) : decl.type;
    if (this.complex.has(declaredType)) return this.checkComplex(node, declaredType);
    const inner = elementsOf(childrenOf(node))[0];
    if (inner && declaredType !== 'xsd:anyType')
      return {
        text: `Element {${METADATA_NS}}${nameOf(inner)} invalid at this location in type ${parent}`,
        node: inner,
      };
    const value = textOf(node);
    const builtIn = BUILT_IN[declaredType];
    if (builtIn) {
      return builtIn(value)
        ? undefined
        : { text: `'${value}' is not a valid value for the type ${declaredType}`, node };
    }
    const simple = this.simple.get(declaredType);
    if (!simple) throw new Error(`the Metadata WSDL has no type ${declaredType} (element ${decl.name})`);
    if (simple.enumeration && !simple.enumeration.has(value))
      return { text: `'${value}' is not a valid value for the enum '${declaredType}'`, node };
    if ((simple.pattern && !simple.pattern.test(value)) || (simple.length && value.length !== simple.length))
      return { text: `'${value}' is not a valid value for the type ${declaredType}`, node };
    return undefined;
  }
}

function complexOf(t: Raw): ComplexType {
  const extension = (t['xsd:complexContent'] as Raw | undefined)?.['xsd:extension'] as Raw | undefined;
  const holder = extension ?? t;
  const sequence = (holder['xsd:sequence'] ?? {}) as Raw;
  const own = asArray(sequence['xsd:element']).map((e): ElementDecl => ({
    name: String(e['@name']),
    type: String(e['@type'] ?? 'xsd:anyType').replace(/^tns:/, ''),
    min: e['@minOccurs'] === undefined ? 1 : Number(e['@minOccurs']),
    max:
      e['@maxOccurs'] === 'unbounded'
        ? Infinity
        : e['@maxOccurs'] === undefined
          ? 1
          : Number(e['@maxOccurs']),
    nillable: e['@nillable'] === 'true',
  }));
  return {
    base: extension ? local(String(extension['@base'])) : undefined,
    own,
    open: asArray(sequence['xsd:any']).length > 0,
  };
}

/** fast-xml-parser's preserveOrder shape: `{ [tag]: children, ':@': attributes }`, text as `#text`. */
type OrderedNode = Record<string, unknown>;

const nameOf = (n: OrderedNode) => Object.keys(n).find((k) => k !== ':@')!;
const childrenOf = (n: OrderedNode) => (n[nameOf(n)] as OrderedNode[] | undefined) ?? [];
const attrsOf = (n: OrderedNode) => (n[':@'] as Record<string, string> | undefined) ?? {};
const elementsOf = (nodes: OrderedNode[]) =>
  nodes.filter((n) => {
    const name = nameOf(n);
    return name !== '#text' && !name.startsWith('?') && name !== '#comment';
  });
const textOf = (n: OrderedNode) =>
  childrenOf(n)
    .map((c) => (typeof c['#text'] === 'string' ? c['#text'] : ''))
    .join('');

/** 1-based line and column of a node's start tag, from fast-xml-parser's captured start index. */
function positions(
  xml: string,
): (node: OrderedNode | undefined) => { lineNumber: number; columnNumber: number } {
  const symbol = XMLParser.getMetaDataSymbol() as unknown as symbol;
  return (node) => {
    const index = (node as Record<symbol, { startIndex?: number } | undefined> | undefined)?.[symbol]
      ?.startIndex;
    if (index === undefined) return { lineNumber: 1, columnNumber: 1 };
    const before = xml.slice(0, index);
    const line = before.split('\n').length;
    return { lineNumber: line, columnNumber: index - before.lastIndexOf('\n') };
  };
}

let loaded: MetadataSchema | null | undefined;

/**
 * The schema from `../shared` (parsed once per process), or null where the
 * WSDL is absent (a fresh clone without `../shared`, e.g. `npm start`): the
 * sandbox then deploys unchecked, and says so once.
 */
export function metadataSchema(): MetadataSchema | null {
  if (loaded === undefined) {
    loaded = existsSync(METADATA_WSDL) ? new MetadataSchema(readFileSync(METADATA_WSDL, 'utf8')) : null;
    if (!loaded)
      console.warn(
        `[salesforce sandbox] ${METADATA_WSDL} not found: metadata deploys are not checked against the Metadata API schema`,
      );
  }
  return loaded;
}
