/**
 * The deploy package for `clv salesforce setup`: the files of
 * `integrations/salesforce/metadata/` that its package.xml names, with the
 * deploy-time placeholders filled in, zipped as the Metadata API's `deploy`
 * reads them (metadata format, package.xml at the root, `singlePackage`).
 *
 * package.xml decides what is deployed. Files it does not name (the layout
 * sections, the README) ship in the folder for admins and stay out of the zip.
 */
import { InternalError } from '../../shared/errors.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';

/** The metadata source, in Metadata API (not Salesforce DX source) format. */
export const METADATA_DIR = fileURLToPath(new URL('./metadata/', import.meta.url));

const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

/** Text in the metadata files replaced at deploy time. */
export const PLACEHOLDERS = {
  outboundEndpoint: '{{CLV_OUTBOUND_ENDPOINT}}',
  integrationUser: '{{CLV_INTEGRATION_USER}}',
} as const;

export type PlaceholderValues = { [K in keyof typeof PLACEHOLDERS]: string };

export interface PackageMember {
  /** Metadata type, as package.xml names it: CustomField, PermissionSet, Flow, Workflow… */
  type: string;
  fullName: string;
  /** The file in the package holding it, e.g. `objects/Contact.object`. */
  file: string;
}

export interface SetupPackage {
  /** What package.xml names, in its order. */
  members: PackageMember[];
  /** Zip path → file text after replacement: package.xml and every file a member lives in. */
  files: Map<string, string>;
  /** Metadata files in the folder that package.xml does not name (shipped for admins, not deployed). */
  notDeployed: string[];
  zip: Buffer;
}

/** The metadata folder is not a valid package: a file is missing or a placeholder has no value. */
export class MetadataPackageError extends InternalError {
  override name = 'MetadataPackageError';
}

/** Where each type the package uses lives in a metadata-format package. */
function fileOf(type: string, fullName: string): string {
  switch (type) {
    case 'CustomObject':
      return `objects/${fullName}.object`;
    case 'CustomField':
      return `objects/${fullName.split('.', 1)[0]}.object`;
    case 'PermissionSet':
      return `permissionsets/${fullName}.permissionset`;
    case 'Layout':
      return `layouts/${fullName}.layout`;
    case 'Flow':
      return `flows/${fullName}.flow`;
    case 'Workflow':
      return `workflows/${fullName}.workflow`;
    default:
      throw new MetadataPackageError(`package.xml names type ${type}, which the setup package does not map`);
  }
}

const escapeXml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** Reads package.xml's members. */
export function packageMembers(packageXml: string): PackageMember[] {
  const parser = new XMLParser({
    parseTagValue: false,
    trimValues: true,
    isArray: (name) => name === 'types' || name === 'members',
  });
  const doc = parser.parse(packageXml) as { Package?: { types?: { name?: string; members?: string[] }[] } };
  if (!doc.Package) throw new MetadataPackageError('package.xml: the root element must be Package');
  return (doc.Package.types ?? []).flatMap(({ name = '', members = [] }) =>
    members.map((fullName) => ({ type: name, fullName, file: fileOf(name, fullName) })),
  );
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** package.xml for the given members, in their order, grouped by type. */
function packageXmlFor(members: readonly PackageMember[], version: string): string {
  const types = new Map<string, string[]>();
  for (const m of members) types.set(m.type, [...(types.get(m.type) ?? []), m.fullName]);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<Package xmlns="${METADATA_NS}">`];
  for (const [type, names] of types) {
    lines.push('    <types>', ...names.map((n) => `        <members>${escapeXml(n)}</members>`));
    lines.push(`        <name>${type}</name>`, '    </types>');
  }
  lines.push(`    <version>${version}</version>`, '</Package>', '');
  return lines.join('\n');
}

/**
 * Builds the deploy package from `dir` (the shipped metadata by default).
 * `omitTypes` leaves a type's members out of package.xml and the zip; a
 * placeholder without a value is an error only in a file that is deployed.
 */
export function buildSetupPackage(
  values: Partial<PlaceholderValues>,
  dir: string = METADATA_DIR,
  options: { omitTypes?: readonly string[] } = {},
): SetupPackage {
  const read = (path: string): string => {
    let text: string;
    try {
      text = readFileSync(join(dir, path), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new MetadataPackageError(`${path} cannot be read from ${dir} (${code})`);
    }
    for (const [key, token] of Object.entries(PLACEHOLDERS)) {
      const value = values[key as keyof PlaceholderValues];
      if (value !== undefined) text = text.replaceAll(token, escapeXml(value));
    }
    const left = /\{\{CLV_[A-Z_]+\}\}/.exec(text);
    if (left) throw new MetadataPackageError(`${path}: no value for the placeholder ${left[0]}`);
    return text;
  };
  let packageXml = read('package.xml');
  const all = packageMembers(packageXml);
  const omit = new Set(options.omitTypes ?? []);
  const members = all.filter((m) => !omit.has(m.type));
  if (members.length < all.length) {
    const version = /<version>([^<]+)<\/version>/.exec(packageXml)?.[1];
    if (!version) throw new MetadataPackageError('package.xml has no <version>');
    packageXml = packageXmlFor(members, version);
  }
  const files = new Map<string, string>([['package.xml', packageXml]]);
  for (const { file } of members) if (!files.has(file)) files.set(file, read(file));
  const notDeployed = listFiles(dir).filter((path) => !files.has(path) && !path.endsWith('.md'));
  return { members, files, notDeployed, zip: zipFiles(files) };
}

// Zip's DOS date for 1980-01-01 00:00, so the same files always make the same bytes.
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * A deflated zip (PKWARE APPNOTE 4.3: local headers, central directory, end
 * record; UTF-8 names) — all a deploy package needs, from node:zlib alone.
 */
export function zipFiles(files: ReadonlyMap<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of files) {
    const raw = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const data = deflateRawSync(raw);
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeSharedFields(local, 4, crc, data.length, raw.length, nameBytes.length);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by: 2.0
    writeSharedFields(entry, 6, crc, data.length, raw.length, nameBytes.length);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, data);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.size, 8);
  end.writeUInt16LE(files.size, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}

/** The fields a local header and its central directory entry share, in the same order (APPNOTE 4.3.7, 4.3.12). */
function writeSharedFields(
  header: Buffer,
  at: number,
  crc: number,
  compressed: number,
  size: number,
  nameLength: number,
): void {
  header.writeUInt16LE(20, at); // version needed: 2.0 (deflate)
  header.writeUInt16LE(0x0800, at + 2); // names are UTF-8
  header.writeUInt16LE(8, at + 4); // deflate
  header.writeUInt16LE(0, at + 6);
  header.writeUInt16LE(DOS_DATE, at + 8);
  header.writeUInt32LE(crc, at + 10);
  header.writeUInt32LE(compressed, at + 14);
  header.writeUInt32LE(size, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
}
