/**
 * What a Metadata API `deploy` does with its zip. The Metadata API takes the
 * metadata format, not Salesforce DX source format (the CLI converts source
 * before deploying), so the sandbox reads what the real API reads:
 *
 *   package.xml                       (at the root, or in one top folder unless singlePackage)
 *   objects/Contact.object            <CustomObject><fields>…</fields></CustomObject>
 *   permissionsets/CLV.permissionset  <PermissionSet><fieldPermissions>…</fieldPermissions></PermissionSet>
 *   layouts/Contact-Contact Layout.layout
 *
 * Components are those package.xml names. A named component missing from the
 * zip fails as in Salesforce ("An object 'Contact.CLV_Tier__c' of type
 * CustomField was named in package.xml, but was not found in zipped
 * directory"), so a zip of `*.field-meta.xml` source files fails too. Custom
 * fields on the modelled objects are created or updated (a redeploy of the
 * same definition reports changed=false); permission sets are checked against
 * the fields they grant; layouts and other real types are accepted as they
 * are. Custom objects (`Foo__c`) are not modelled and fail.
 *
 * Before any of that, package.xml and every file a component lives in
 * (objects, permission sets, layouts, flows, workflows) is checked against
 * the Metadata API WSDL's schema (metadata-schema.ts): a file the real API
 * cannot parse fails its components with Salesforce's "Error parsing file:
 * …" problem and the line and column, and a bad package.xml fails the
 * deploy.
 */
import type { FieldDef } from './schema.ts';
import { KEY_PREFIX } from './ids.ts';
import type { OrgState, PermissionSetRecord } from './org-state.ts';
import { fieldFromMetadata, sameField } from './metadata-fields.ts';
import type { MetadataProblem } from './metadata-schema.ts';
import { metadataSchema } from './metadata-schema.ts';
import type { XmlNode } from './xml.ts';
import { XmlError, list, parseXml, text } from './xml.ts';
import { ZipError, readZip } from './zip.ts';

/** A DeployMessage, its keys in the WSDL's sequence order (they are written out as they are listed). */
export interface DeployMessage {
  changed: boolean;
  columnNumber?: number;
  componentType: string;
  created: boolean;
  createdDate: string;
  deleted: boolean;
  fileName: string;
  fullName: string;
  id?: string;
  lineNumber?: number;
  problem?: string;
  problemType?: 'Error' | 'Warning';
  success: boolean;
}

/** A component ready to apply, or a failure found while reading the zip. */
interface Planned {
  type: string;
  fullName: string;
  fileName: string;
  problem?: string;
  /** Where in the file a parse problem is. */
  at?: Pick<MetadataProblem, 'lineNumber' | 'columnNumber'>;
  field?: { object: string; def: FieldDef };
  permissionSet?: PermissionSetRecord;
  layout?: string;
}

export interface DeployPlan {
  components: Planned[];
  /** A fault of the whole package (no package.xml, not a zip). */
  errorMessage?: string;
}

const ARRAYS = new Set([
  'types',
  'members',
  'fields',
  'fieldPermissions',
  'objectPermissions',
  'value',
  'layoutSections',
]);

/** Metadata types the sandbox accepts without modelling their effect. */
const TOLERATED = new Set([
  'ApexClass',
  'ApexTrigger',
  'CompactLayout',
  'CustomApplication',
  'CustomTab',
  'FlexiPage',
  'ListView',
  'Profile',
  'RecordType',
  'RemoteSiteSetting',
  'NamedCredential',
  'ValidationRule',
  'WebLink',
]);

export function planDeploy(org: OrgState, zipBase64: string, singlePackage: boolean): DeployPlan {
  let files: Map<string, Buffer>;
  try {
    files = readZip(Buffer.from(zipBase64, 'base64'));
  } catch (err) {
    if (err instanceof ZipError) return { components: [], errorMessage: `Invalid zip file: ${err.message}` };
    throw err;
  }
  const roots = [...files.keys()].filter(
    (p) => p === 'package.xml' || (!singlePackage && /^[^/]+\/package\.xml$/.test(p)),
  );
  if (roots.length !== 1) return { components: [], errorMessage: 'No package.xml found' };
  const base = roots[0]!.slice(0, -'package.xml'.length);
  const read = (path: string): XmlNode | undefined => {
    const buf = files.get(base + path);
    return buf ? parseXml(buf.toString('utf8'), ARRAYS) : undefined;
  };
  const schema = metadataSchema();
  const schemaProblems = new Map<string, MetadataProblem | undefined>();
  /** The schema's verdict on a file of the zip, once per file (undefined: valid, absent or unchecked). */
  const schemaProblem = (path: string, rootType: string): MetadataProblem | undefined => {
    if (!schema || schemaProblems.has(path)) return schemaProblems.get(path);
    const buf = files.get(base + path);
    const problem = buf ? schema.check(buf.toString('utf8'), rootType) : undefined;
    schemaProblems.set(path, problem);
    return problem;
  };
  let pkg: XmlNode | undefined;
  try {
    pkg = read('package.xml')?.Package as XmlNode | undefined;
  } catch (err) {
    if (err instanceof XmlError) return { components: [], errorMessage: `package.xml: ${err.message}` };
    throw err;
  }
  if (!pkg || typeof pkg !== 'object')
    return { components: [], errorMessage: 'package.xml: root element must be Package' };
  const badPackage = schemaProblem('package.xml', 'Package');
  if (badPackage) {
    const { problem, ...at } = badPackage;
    return {
      components: [{ type: '', fullName: 'package.xml', fileName: `${base}package.xml`, problem, at }],
    };
  }

  const components: Planned[] = [];
  const notFound = (type: string, fullName: string, fileName: string): Planned => ({
    type,
    fullName,
    fileName,
    problem: `An object '${fullName}' of type ${type} was named in package.xml, but was not found in zipped directory`,
  });
  const types = list(pkg.types).map((t) => ({
    name: text((t as XmlNode).name) ?? '',
    members: list((t as XmlNode).members).map((m) => text(m) ?? ''),
  }));
  // Fields first, then what depends on them, as Salesforce orders a deploy.
  const rank = (name: string) => (name === 'CustomObject' || name === 'CustomField' ? 0 : 1);
  types.sort((a, b) => rank(a.name) - rank(b.name));

  for (const { name: type, members } of types) {
    for (const member of members) {
      const fileFor = (path: string) => `${base}${path}`;
      const file = fileOfComponent(type, member);
      const parseProblem = file && schemaProblem(file.path, file.rootType);
      if (parseProblem) {
        const { problem, ...at } = parseProblem;
        components.push({ type, fullName: member, fileName: fileFor(file.path), problem, at });
        continue;
      }
      try {
        if (type === 'CustomObject' || type === 'CustomField') {
          const [objectName, fieldName] =
            type === 'CustomObject' ? [member, undefined] : member.split('.', 2);
          const objectFile = `objects/${objectName}.object`;
          const object = objectName ? org.schema.object(objectName) : undefined;
          const doc = objectName ? read(objectFile) : undefined;
          if (!doc) {
            components.push(notFound(type, member, fileFor(objectFile)));
            continue;
          }
          if (!object) {
            components.push({
              type,
              fullName: member,
              fileName: fileFor(objectFile),
              problem: `The sandbox org models only the standard objects ${org.schema.objectNames().join(', ')}; it cannot deploy ${objectName}`,
            });
            continue;
          }
          const fields = list((doc.CustomObject as XmlNode | undefined)?.fields) as XmlNode[];
          const wanted =
            fieldName && fieldName !== '*' ? fields.filter((f) => text(f.fullName) === fieldName) : fields;
          if (fieldName && fieldName !== '*' && wanted.length === 0) {
            components.push(notFound(type, member, fileFor(objectFile)));
            continue;
          }
          if (type === 'CustomObject') {
            components.push({ type, fullName: object.name, fileName: fileFor(objectFile) });
          }
          for (const f of wanted) {
            const own = text(f.fullName) ?? '';
            const fullName = `${object.name}.${own}`;
            const standard = org.schema.field(object, own);
            if (standard && !standard.custom) {
              components.push({
                type: 'CustomField',
                fullName,
                fileName: fileFor(objectFile),
                problem: `Cannot modify standard field ${fullName}`,
              });
              continue;
            }
            const parsed = fieldFromMetadata(own, f);
            components.push(
              parsed.ok
                ? {
                    type: 'CustomField',
                    fullName,
                    fileName: fileFor(objectFile),
                    field: { object: object.name, def: parsed.def },
                  }
                : { type: 'CustomField', fullName, fileName: fileFor(objectFile), problem: parsed.problem },
            );
          }
        } else if (type === 'PermissionSet') {
          const path = `permissionsets/${member}.permissionset`;
          const doc = read(path)?.PermissionSet as XmlNode | undefined;
          if (!doc) {
            components.push(notFound(type, member, fileFor(path)));
            continue;
          }
          const fieldPermissions = new Map<string, { readable: boolean; editable: boolean }>();
          for (const fp of list(doc.fieldPermissions) as XmlNode[]) {
            fieldPermissions.set(text(fp.field) ?? '', {
              readable: text(fp.readable) === 'true',
              editable: text(fp.editable) === 'true',
            });
          }
          components.push({
            type,
            fullName: member,
            fileName: fileFor(path),
            permissionSet: { name: member, label: text(doc.label) ?? member, fieldPermissions },
          });
        } else if (type === 'Layout') {
          const path = `layouts/${member}.layout`;
          const buf = files.get(base + path);
          if (!buf) {
            components.push(notFound(type, member, fileFor(path)));
            continue;
          }
          parseXml(buf.toString('utf8'), ARRAYS);
          components.push({ type, fullName: member, fileName: fileFor(path), layout: buf.toString('utf8') });
        } else if (file) {
          // A flow or workflow: read and checked against the schema, not modelled.
          if (!files.has(base + file.path)) {
            components.push(notFound(type, member, fileFor(file.path)));
            continue;
          }
          components.push({ type, fullName: member, fileName: fileFor(file.path) });
        } else if (TOLERATED.has(type)) {
          components.push({ type, fullName: member, fileName: fileFor('package.xml') });
        } else {
          components.push({
            type,
            fullName: member,
            fileName: fileFor('package.xml'),
            problem: `Unknown type name '${type}' specified in package.xml`,
          });
        }
      } catch (err) {
        if (!(err instanceof XmlError)) throw err;
        components.push({
          type,
          fullName: member,
          fileName: base,
          problem: `Error parsing file: ${err.message}`,
        });
      }
    }
  }
  return { components };
}

/**
 * Where a component's file is in a metadata-format zip, and its root element
 * (Metadata API Developer Guide, "Metadata Types": each type's directory and
 * suffix), for the types whose files the sandbox reads.
 */
function fileOfComponent(type: string, member: string): { path: string; rootType: string } | undefined {
  switch (type) {
    case 'CustomObject':
      return { path: `objects/${member}.object`, rootType: 'CustomObject' };
    case 'CustomField':
      return { path: `objects/${member.split('.', 1)[0]}.object`, rootType: 'CustomObject' };
    case 'PermissionSet':
      return { path: `permissionsets/${member}.permissionset`, rootType: 'PermissionSet' };
    case 'Layout':
      return { path: `layouts/${member}.layout`, rootType: 'Layout' };
    case 'Flow':
      return { path: `flows/${member}.flow`, rootType: 'Flow' };
    case 'Workflow':
      return { path: `workflows/${member}.workflow`, rootType: 'Workflow' };
    default:
      return undefined;
  }
}

/**
 * Applies a plan (unless checkOnly or a rollback is due) and describes every
 * component as Salesforce's DeployDetails do.
 */
export function applyDeploy(
  org: OrgState,
  plan: DeployPlan,
  options: { checkOnly: boolean; rollbackOnError: boolean; fieldIds: Map<string, string> },
): { successes: DeployMessage[]; failures: DeployMessage[] } {
  const stamp = new Date(org.now()).toISOString();
  const message = (p: Planned, extra: Partial<DeployMessage>): DeployMessage => ({
    changed: extra.changed ?? false,
    columnNumber: p.at?.columnNumber,
    componentType: p.type,
    created: extra.created ?? false,
    createdDate: stamp,
    deleted: false,
    fileName: p.fileName,
    fullName: p.fullName,
    id: extra.id,
    lineNumber: p.at?.lineNumber,
    problem: extra.problem,
    problemType: extra.problemType,
    success: extra.success ?? true,
  });
  const failures: DeployMessage[] = [];
  // Permission sets may only grant fields that exist once this deploy's fields land.
  const fieldsAfter = new Set<string>();
  for (const name of org.schema.objectNames())
    for (const f of org.customFields(name)) fieldsAfter.add(`${name}.${f.name}`.toLowerCase());
  for (const p of plan.components) {
    if (p.field && !p.problem) fieldsAfter.add(p.fullName.toLowerCase());
  }
  for (const p of plan.components) {
    if (p.permissionSet && !p.problem) {
      for (const field of p.permissionSet.fieldPermissions.keys()) {
        if (!fieldsAfter.has(field.toLowerCase())) {
          p.problem = `In field: field - no CustomField named ${field} found`;
          break;
        }
      }
    }
    if (p.problem) failures.push(message(p, { success: false, problem: p.problem, problemType: 'Error' }));
  }
  const apply = !options.checkOnly && !(options.rollbackOnError && failures.length > 0);
  const successes: DeployMessage[] = [
    message({ type: '', fullName: 'package.xml', fileName: 'package.xml' }, { changed: true }),
  ];
  for (const p of plan.components) {
    if (p.problem) continue;
    if (p.field) {
      const object = org.schema.object(p.field.object)!;
      const existing = org.schema.field(object, p.field.def.name);
      const changed = !existing || !sameField(existing, p.field.def);
      let id = options.fieldIds.get(p.fullName.toLowerCase());
      if (apply) {
        org.schema.upsertCustomField(object.name, p.field.def);
        id ??= org.ids.next(KEY_PREFIX.CustomField);
        options.fieldIds.set(p.fullName.toLowerCase(), id);
      }
      successes.push(message(p, { changed, created: !existing, id }));
    } else if (p.permissionSet) {
      const existing = org.permissionSets.get(p.fullName);
      const changed =
        !existing ||
        JSON.stringify([...existing.fieldPermissions]) !==
          JSON.stringify([...p.permissionSet.fieldPermissions]);
      if (apply) org.permissionSets.set(p.fullName, p.permissionSet);
      successes.push(message(p, { changed, created: !existing }));
    } else if (p.layout !== undefined) {
      const existing = org.layouts.get(p.fullName);
      if (apply) org.layouts.set(p.fullName, p.layout);
      successes.push(message(p, { changed: existing !== p.layout, created: existing === undefined }));
    } else {
      successes.push(message(p, { changed: false }));
    }
  }
  return { successes, failures };
}
