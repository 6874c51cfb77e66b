/**
 * Contract: every metadata file `clv salesforce setup` deploys is valid
 * against Salesforce's Metadata API WSDL v62.0
 * (../shared/reference/salesforce/metadata/metadata-v62.0.wsdl, read in
 * place by sandbox/salesforce/metadata-schema.ts): element names, their
 * sequence order, types, enumerations and required elements.
 *
 * The files are the ones the package builder really zips (both variants
 * setup.ts deploys: with the outbound message and flow, and without them),
 * read back from the zip, so a file added to package.xml is checked without
 * this test naming it. Broken copies, made in memory, are refused, both by
 * the schema and by the sandbox org's deploy, so the check bites.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_DIR, buildSetupPackage, zipFiles } from '../../integrations/salesforce/metadata-package.ts';
import { SALESFORCE_API_VERSION } from '../../integrations/salesforce/setup.ts';
import type { SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { readZip, startSalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { METADATA_NS, METADATA_WSDL, metadataSchema } from '../../sandbox/salesforce/metadata-schema.ts';

const VALUES = {
  outboundEndpoint: 'https://clv.example.com/salesforce/outbound?token=t0k3n&tenant=a',
  integrationUser: 'integration@clv.example',
};

/** A metadata-format file's root element, by its folder's suffix (Metadata API Developer Guide, "Metadata Types"). */
const ROOT_BY_SUFFIX: Record<string, string> = {
  object: 'CustomObject',
  permissionset: 'PermissionSet',
  flow: 'Flow',
  workflow: 'Workflow',
  layout: 'Layout',
};

function rootTypeOf(path: string): string {
  if (path === 'package.xml') return 'Package';
  const root = ROOT_BY_SUFFIX[path.slice(path.lastIndexOf('.') + 1)];
  if (!root) throw new Error(`${path}: no root type known for its suffix; add it to ROOT_BY_SUFFIX`);
  return root;
}

/** What setup.ts leaves out when it cannot tell the integration user (its OUTBOUND_TYPES). */
const OUTBOUND_TYPES = ['Workflow', 'Flow'];

/** The files of both packages setup.ts deploys, as zipped. */
function deployedFiles(): Map<string, string> {
  const out = new Map<string, string>();
  const variants = [
    buildSetupPackage(VALUES),
    buildSetupPackage({ outboundEndpoint: VALUES.outboundEndpoint }, undefined, {
      omitTypes: OUTBOUND_TYPES,
    }),
  ];
  variants.forEach((pkg, n) => {
    for (const [path, bytes] of readZip(pkg.zip))
      out.set(`${n ? 'without outbound/' : ''}${path}`, bytes.toString('utf8'));
  });
  return out;
}

const schema = () => {
  const s = metadataSchema();
  if (!s) throw new Error(`the Metadata WSDL is not at ${METADATA_WSDL} (CI has ../shared beside the clone)`);
  return s;
};

describe('Salesforce metadata against the Metadata API WSDL v62.0', () => {
  it('the WSDL is there and is the one the package targets', () => {
    expect(existsSync(METADATA_WSDL)).toBe(true);
    const pkg = buildSetupPackage(VALUES);
    expect(pkg.files.get('package.xml')).toContain(`<version>${SALESFORCE_API_VERSION}</version>`);
    expect(METADATA_WSDL).toMatch(/metadata-v62\.0\.wsdl$/);
    expect(schema().enumeration('FieldType')).toEqual(
      expect.arrayContaining(['Currency', 'Picklist', 'Percent']),
    );
  });

  it('the package holds package.xml and a file for every member, and nothing else', () => {
    const pkg = buildSetupPackage(VALUES);
    const zipped = [...readZip(pkg.zip).keys()].sort();
    expect(zipped).toEqual([...new Set(['package.xml', ...pkg.members.map((m) => m.file)])].sort());
    expect(new Set(pkg.members.map((m) => m.type))).toEqual(
      new Set(['CustomField', 'Flow', 'PermissionSet', 'Workflow']),
    );
  });

  const files = deployedFiles();
  it.each([...files.keys()])('%s is valid', (path) => {
    const file = path.replace(/^without outbound\//, '');
    expect(schema().check(files.get(path)!, rootTypeOf(file))).toBeUndefined();
  });

  it('the layout sections shipped for admins to paste are valid Layouts too', () => {
    const { notDeployed } = buildSetupPackage(VALUES);
    expect(notDeployed.length).toBeGreaterThan(0);
    for (const path of notDeployed) {
      const text = readFileSync(join(METADATA_DIR, path), 'utf8');
      expect({ path, problem: schema().check(text, rootTypeOf(path)) }).toEqual({ path, problem: undefined });
    }
  });

  it('the outbound message may send StatusCode (Order status category) or any field list: fields are strings', () => {
    const workflow = buildSetupPackage(VALUES).files.get('workflows/Order.workflow')!;
    const withStatusCode = workflow.replace(
      '<fields>Status</fields>',
      '<fields>Status</fields>\n        <fields>StatusCode</fields>',
    );
    expect(withStatusCode).not.toBe(workflow);
    expect(schema().check(withStatusCode, 'Workflow')).toBeUndefined();
    // …but not split around another element: the repeated element must be contiguous.
    const split = workflow.replace(
      '<integrationUser>',
      '<fields>StatusCode</fields>\n        <integrationUser>',
    );
    expect(schema().check(split, 'Workflow')?.problem).toBe(
      'Error parsing file: Element fields is duplicated at this location in type WorkflowOutboundMessage',
    );
  });
});

interface BrokenCopy {
  file: string;
  why: string;
  edit: (xml: string) => string;
  problem: string;
}

/** A copy without a required element (the first match of `element`): Salesforce names the element it misses. */
const withoutRequired = (file: string, why: string, name: string, element: string | RegExp): BrokenCopy => ({
  file,
  why,
  edit: (x) => x.replace(element, ''),
  problem: `Error parsing file: Required field is missing: ${name}`,
});

/** A copy whose enumerated value is one the enumeration lacks: Salesforce names the value and the enumeration. */
const outsideEnum = (
  file: string,
  why: string,
  from: string,
  to: string,
  value: string,
  enumeration: string,
): BrokenCopy => ({
  file,
  why,
  edit: (x) => x.replace(from, to),
  problem: `Error parsing file: '${value}' is not a valid value for the enum '${enumeration}'`,
});

/** Broken copies of the real files, each with the problem Salesforce reports for it. */
const BROKEN: BrokenCopy[] = [
  outsideEnum(
    'objects/Contact.object',
    'a field type the FieldType enumeration lacks',
    '<type>Currency</type>',
    '<type>Money</type>',
    'Money',
    'FieldType',
  ),
  {
    file: 'objects/Account.object',
    why: 'an element CustomField does not have',
    edit: (x) => x.replace('<label>Predicted CLV</label>', '<label>Predicted CLV</label><foo>1</foo>'),
    problem: `Error parsing file: Element {${METADATA_NS}}foo invalid at this location in type CustomField`,
  },
  {
    file: 'objects/Contact.object',
    why: 'elements out of sequence order (type before precision)',
    edit: (x) =>
      x.replace(
        /<precision>18<\/precision>(\s*<required>false<\/required>\s*<scale>2<\/scale>\s*)<type>Currency<\/type>/,
        '<type>Currency</type>$1<precision>18</precision>',
      ),
    problem: `Error parsing file: Element {${METADATA_NS}}required invalid at this location in type CustomField`,
  },
  withoutRequired(
    'objects/Contact.object',
    'a picklist value without its required default',
    'default',
    '<default>false</default>',
  ),
  withoutRequired(
    'permissionsets/CLV_Read.permissionset',
    'a permission set without its required label',
    'label',
    /<label>[^<]*<\/label>/,
  ),
  {
    file: 'permissionsets/CLV_Sync_Integration.permissionset',
    why: 'a boolean that is not one',
    edit: (x) => x.replace('<editable>true</editable>', '<editable>yes</editable>'),
    problem: "Error parsing file: 'yes' is not a valid value for the type xsd:boolean",
  },
  outsideEnum(
    'flows/CLV_Order_Activated.flow',
    'an action type the InvocableActionType enumeration lacks',
    '<actionType>outboundMessage</actionType>',
    '<actionType>outbound</actionType>',
    'outbound',
    'InvocableActionType',
  ),
  outsideEnum(
    'flows/CLV_Order_Activated.flow',
    'a record trigger type the RecordTriggerType enumeration lacks',
    '<recordTriggerType>CreateAndUpdate</recordTriggerType>',
    '<recordTriggerType>Edit</recordTriggerType>',
    'Edit',
    'RecordTriggerType',
  ),
  withoutRequired(
    'workflows/Order.workflow',
    'an outbound message without its required protected flag',
    'protected',
    '<protected>false</protected>',
  ),
  withoutRequired('package.xml', 'a manifest without its version', 'version', /<version>[^<]*<\/version>/),
];

describe('a broken copy of a deployed file is refused', () => {
  const pkg = buildSetupPackage(VALUES);
  it.each(BROKEN)('$file: $why', ({ file, edit, problem }) => {
    const original = pkg.files.get(file);
    expect(original, `${file} is no longer deployed: update this case`).toBeDefined();
    const broken = edit(original!);
    expect(broken).not.toBe(original);
    expect(schema().check(broken, rootTypeOf(file))?.problem).toBe(problem);
  });
});

describe('the sandbox org deploys the real package and refuses a broken copy as Salesforce does', () => {
  let sf: SalesforceSandbox;
  let conn: Connection;

  beforeAll(async () => {
    sf = await startSalesforceSandbox({ clientId: 'metadata-contract', apiVersion: SALESFORCE_API_VERSION });
    conn = new jsforce.Connection({
      instanceUrl: sf.instanceUrl,
      accessToken: sf.issueAccessToken(),
      version: SALESFORCE_API_VERSION,
    });
    conn.metadata.pollInterval = 10;
  });
  afterAll(() => sf?.stop());

  const deploy = (files: Map<string, string>) =>
    conn.metadata.deploy(zipFiles(files), { singlePackage: true, rollbackOnError: true }).complete(true);

  it('a broken flow fails the deploy with componentFailures problem/problemType, and nothing is deployed', async () => {
    const files = new Map(buildSetupPackage(VALUES).files);
    const flow = 'flows/CLV_Order_Activated.flow';
    files.set(flow, BROKEN.find((b) => b.file === flow)!.edit(files.get(flow)!));
    const result = await deploy(files);
    expect(result).toMatchObject({ success: false, status: 'Failed', numberComponentErrors: 1 });
    expect([result.details!.componentFailures].flat()).toEqual([
      expect.objectContaining({
        componentType: 'Flow',
        fullName: 'CLV_Order_Activated',
        fileName: flow,
        problem: "Error parsing file: 'outbound' is not a valid value for the enum 'InvocableActionType'",
        problemType: 'Error',
        success: false,
        lineNumber: expect.any(Number),
      }),
    ]);
    expect(sf.org.hasField('Contact', 'CLV_Predicted__c')).toBe(false);
  });

  it('the real package deploys', async () => {
    const result = await deploy(buildSetupPackage(VALUES).files);
    expect(result).toMatchObject({ success: true, status: 'Succeeded', numberComponentErrors: 0 });
    expect(sf.org.hasField('Contact', 'CLV_Predicted__c')).toBe(true);
  });
});
