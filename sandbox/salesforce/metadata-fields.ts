/**
 * CustomField metadata ⇄ the org's field definitions. The same rules apply
 * whether a field arrives inside `objects/Contact.object` in a deploy or in an
 * `upsertMetadata` call, and they are the Metadata API's: a label, a known
 * type, precision and scale for Currency/Number/Percent ("Must specify
 * 'precision' for a CustomField of type Currency"), a length for Text, values
 * for a Picklist (a restricted picklist then rejects other values on write), a
 * defaultValue for a Checkbox, and a name ending in `__c`.
 */
import type { FieldDef, FieldType } from './schema.ts';
import type { XmlNode, XmlOut } from './xml.ts';
import { list, text } from './xml.ts';

const TYPES: Record<string, FieldType> = {
  Currency: 'currency',
  Number: 'double',
  Percent: 'percent',
  Picklist: 'picklist',
  Date: 'date',
  DateTime: 'datetime',
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Checkbox: 'boolean',
  Email: 'email',
  Phone: 'phone',
  Url: 'url',
};

const METADATA_TYPE: Record<FieldType, string> = {
  currency: 'Currency',
  double: 'Number',
  percent: 'Percent',
  picklist: 'Picklist',
  date: 'Date',
  datetime: 'DateTime',
  string: 'Text',
  textarea: 'LongTextArea',
  boolean: 'Checkbox',
  email: 'Email',
  phone: 'Phone',
  url: 'Url',
  id: 'Id',
  int: 'Number',
  reference: 'Lookup',
};

export type FieldParse = { ok: true; def: FieldDef } | { ok: false; problem: string };

const str = (node: XmlNode, key: string): string | undefined => text(node[key]);

/** A CustomField element; `name` is the field's own name (`CLV_Predicted__c`). */
export function fieldFromMetadata(name: string, node: XmlNode): FieldParse {
  const fail = (problem: string): FieldParse => ({ ok: false, problem });
  if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(name) || name.includes('___')) {
    return fail(`Invalid custom field name: ${name}. Custom field names must end with __c`);
  }
  const label = str(node, 'label');
  if (!label) return fail('Must specify a non-empty label for the CustomField');
  const typeName = str(node, 'type');
  if (!typeName) return fail('Must specify a type for the CustomField');
  const type = TYPES[typeName];
  if (!type) return fail(`The sandbox does not model CustomField type ${typeName}`);
  const def: FieldDef = {
    name,
    label,
    type,
    updateable: true,
    custom: true,
    nillable: str(node, 'required') !== 'true',
  };
  const int = (key: string): number | undefined => {
    const v = str(node, key);
    return v === undefined ? undefined : Number(v);
  };
  if (type === 'currency' || type === 'double' || type === 'percent') {
    const precision = int('precision');
    const scale = int('scale');
    if (precision === undefined)
      return fail(`Must specify 'precision' for a CustomField of type ${typeName}`);
    if (scale === undefined) return fail(`Must specify 'scale' for a CustomField of type ${typeName}`);
    if (!Number.isInteger(precision) || precision < 1 || precision > 18) {
      return fail(`The precision for ${name} must be between 1 and 18`);
    }
    if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
      return fail(`The scale for ${name} must be between 0 and its precision`);
    }
    def.precision = precision;
    def.scale = scale;
  }
  if (type === 'string') {
    const length = int('length');
    if (length === undefined) return fail(`Must specify 'length' for a CustomField of type ${typeName}`);
    if (!Number.isInteger(length) || length < 1 || length > 255)
      return fail(`The length for ${name} must be between 1 and 255`);
    def.length = length;
  }
  if (type === 'textarea') def.length = typeName === 'TextArea' ? 255 : (int('length') ?? 32768);
  if (type === 'email') def.length = 80;
  if (type === 'phone') def.length = 40;
  if (type === 'url') def.length = 255;
  if (type === 'boolean') {
    if (str(node, 'defaultValue') === undefined)
      return fail(`Must specify 'defaultValue' for a CustomField of type ${typeName}`);
    def.nillable = false;
  }
  if (type === 'picklist') {
    const valueSet = node.valueSet as XmlNode | undefined;
    const definition = valueSet?.valueSetDefinition as XmlNode | undefined;
    const values = list(definition?.value)
      .map((v) => str(v as XmlNode, 'fullName'))
      .filter((v): v is string => !!v);
    if (!valueSet || values.length === 0)
      return fail(`Must specify picklist values for a CustomField of type ${typeName}`);
    def.picklistValues = values;
    def.restricted = str(valueSet, 'restricted') === 'true';
  }
  return { ok: true, def };
}

/** The CustomField as readMetadata returns it. */
export function fieldToMetadata(objectName: string, def: FieldDef): Record<string, XmlOut> {
  const out: Record<string, XmlOut> = {
    '@xsi:type': 'CustomField',
    fullName: `${objectName}.${def.name}`,
    externalId: false,
    label: def.label,
    precision: def.precision,
    required: !def.nillable && def.type !== 'boolean',
    scale: def.scale,
    length: def.type === 'string' ? def.length : undefined,
    type: METADATA_TYPE[def.type],
  };
  if (def.type === 'picklist') {
    out.valueSet = {
      restricted: !!def.restricted,
      valueSetDefinition: {
        sorted: false,
        value: (def.picklistValues ?? []).map((v) => ({ fullName: v, default: false, label: v })),
      },
    };
  }
  return out;
}

/** Whether two definitions differ in anything a redeploy would change. */
export function sameField(a: FieldDef, b: FieldDef): boolean {
  return JSON.stringify({ ...a, custom: true }) === JSON.stringify({ ...b, custom: true });
}
