/**
 * The sObject schema of the sandbox org: every standard field, parent
 * relationship and child relationship a real org's Enterprise WSDL declares
 * for the objects clv-sync reads and writes (enterprise-fields.ts, from
 * ../shared/reference/salesforce), and the custom fields a Metadata API
 * deploy adds. The fields clv-sync touches are refined below with their
 * Object Reference details (labels, picklist values, currency vs double,
 * read-only); a refinement of a field the reference lacks is an error at
 * load, so the sandbox cannot invent a field. Everything strict in the
 * sandbox (unknown columns and relationships, read-only fields, wrong types,
 * restricted picklists, numbers out of range) is decided against this table,
 * as Salesforce decides it against the org's describe.
 */
import type { ReferenceObject } from './enterprise-fields.ts';
import { childRelationshipOf, declaredChildRelationship, referenceObject } from './enterprise-fields.ts';

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'currency'
  | 'double'
  | 'percent'
  | 'int'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'picklist'
  | 'reference';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Writable through the API (system and formula fields are not). */
  updateable: boolean;
  custom: boolean;
  nillable: boolean;
  /** Text length. */
  length?: number;
  /** Total and fractional digits of number, currency and percent fields. */
  precision?: number;
  scale?: number;
  picklistValues?: string[];
  /** A restricted picklist rejects values outside `picklistValues`. */
  restricted?: boolean;
  referenceTo?: string;
  /** `BillToContact` for `BillToContactId`: the name used in SOQL paths. */
  relationshipName?: string;
  /** A compound field (BillingAddress, WSDL type `tns:address`): read whole, filtered never, written by its parts. */
  compound?: boolean;
}

export interface ChildRelationship {
  /** `OpportunityContactRoles`. */
  name: string;
  /** The child object and its lookup to the parent, when the sandbox models the child. */
  object?: string;
  field?: string;
}

export interface SObjectDef {
  name: string;
  label: string;
  keyPrefix: string;
  fields: Map<string, FieldDef>;
  /** Child relationships by lower-case name, as the reference declares them. */
  children: Map<string, ChildRelationship>;
}

type FieldSpec = Partial<FieldDef> & Pick<FieldDef, 'name' | 'type'>;

function field(spec: FieldSpec): FieldDef {
  return {
    label: spec.name.replace(/__c$/, '').replace(/_/g, ' '),
    updateable: true,
    custom: spec.name.endsWith('__c'),
    nillable: true,
    ...spec,
  };
}

const system = (): FieldSpec[] => [
  { name: 'Id', type: 'id', label: 'Record ID', updateable: false, nillable: false },
  { name: 'IsDeleted', type: 'boolean', label: 'Deleted', updateable: false, nillable: false },
  { name: 'CreatedDate', type: 'datetime', label: 'Created Date', updateable: false, nillable: false },
  {
    name: 'LastModifiedDate',
    type: 'datetime',
    label: 'Last Modified Date',
    updateable: false,
    nillable: false,
  },
  { name: 'SystemModstamp', type: 'datetime', label: 'System Modstamp', updateable: false, nillable: false },
];

/** A lookup; its relationship name comes from the reference (a lookup need not have one). */
const lookup = (name: string, referenceTo: string, updateable = true): FieldSpec => ({
  name,
  type: 'reference',
  referenceTo,
  label: name.replace(/Id$/, ' ID'),
  updateable,
});

const STANDARD: { name: string; label: string; keyPrefix: string; fields: FieldSpec[] }[] = [
  {
    name: 'Account',
    label: 'Account',
    keyPrefix: '001',
    fields: [
      ...system(),
      { name: 'Name', type: 'string', label: 'Account Name', length: 255, nillable: false },
      {
        name: 'Type',
        type: 'picklist',
        picklistValues: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other'],
      },
      {
        name: 'Industry',
        type: 'picklist',
        picklistValues: ['Retail', 'Technology', 'Hospitality', 'Other'],
      },
      { name: 'Phone', type: 'phone', length: 40 },
      { name: 'Website', type: 'url', length: 255 },
      { name: 'BillingCountry', type: 'string', length: 80, label: 'Billing Country' },
    ],
  },
  {
    name: 'Contact',
    label: 'Contact',
    keyPrefix: '003',
    fields: [
      ...system(),
      { name: 'FirstName', type: 'string', length: 40, label: 'First Name' },
      { name: 'LastName', type: 'string', length: 80, label: 'Last Name', nillable: false },
      // Compound name: readable, never writable (write FirstName/LastName).
      { name: 'Name', type: 'string', length: 121, label: 'Full Name', updateable: false },
      { name: 'Email', type: 'email', length: 80 },
      { name: 'Phone', type: 'phone', length: 40 },
      lookup('AccountId', 'Account'),
      {
        name: 'LeadSource',
        type: 'picklist',
        label: 'Lead Source',
        picklistValues: ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'],
      },
    ],
  },
  {
    name: 'Order',
    label: 'Order',
    keyPrefix: '801',
    fields: [
      ...system(),
      { name: 'OrderNumber', type: 'string', length: 30, label: 'Order Number', updateable: false },
      lookup('AccountId', 'Account'),
      lookup('BillToContactId', 'Contact'),
      lookup('ShipToContactId', 'Contact'),
      { name: 'EffectiveDate', type: 'date', label: 'Order Start Date', nillable: false },
      // Status values each belong to a category, StatusCode (Object Reference, Order and OrderStatus):
      // Draft and Activated are the standard ones; an org adds its own (OrgState.addOrderStatus).
      { name: 'Status', type: 'picklist', picklistValues: ['Draft', 'Activated'], restricted: true },
      {
        name: 'StatusCode',
        type: 'picklist',
        label: 'Status Category',
        picklistValues: ['Draft', 'Activated'],
        restricted: true,
        updateable: false,
      },
      { name: 'ActivatedDate', type: 'datetime', label: 'Activated Date' },
      // A roll-up of the order products: read-only, as in Salesforce.
      {
        name: 'TotalAmount',
        type: 'currency',
        label: 'Order Amount',
        precision: 18,
        scale: 2,
        updateable: false,
      },
      { name: 'Type', type: 'picklist', picklistValues: ['New', 'Renewal', 'Upgrade'] },
      { name: 'Description', type: 'textarea', length: 32000 },
      {
        name: 'IsReductionOrder',
        type: 'boolean',
        label: 'Reduction Order',
        updateable: false,
        nillable: false,
      },
      lookup('OriginalOrderId', 'Order', false),
    ],
  },
  {
    name: 'OrderItem',
    label: 'Order Product',
    keyPrefix: '802',
    fields: [
      ...system(),
      lookup('OrderId', 'Order', false),
      { name: 'Description', type: 'string', length: 255, label: 'Line Description' },
      { name: 'Quantity', type: 'double', precision: 16, scale: 2, nillable: false },
      { name: 'UnitPrice', type: 'currency', label: 'Unit Price', precision: 18, scale: 2, nillable: false },
      {
        name: 'ListPrice',
        type: 'currency',
        label: 'List Price',
        precision: 18,
        scale: 2,
        updateable: false,
      },
      {
        name: 'TotalPrice',
        type: 'currency',
        label: 'Total Price',
        precision: 18,
        scale: 2,
        updateable: false,
      },
    ],
  },
  {
    name: 'Opportunity',
    label: 'Opportunity',
    keyPrefix: '006',
    fields: [
      ...system(),
      { name: 'Name', type: 'string', length: 120, nillable: false },
      lookup('AccountId', 'Account'),
      lookup('ContactId', 'Contact'),
      { name: 'Amount', type: 'currency', precision: 18, scale: 2 },
      { name: 'CloseDate', type: 'date', label: 'Close Date', nillable: false },
      {
        name: 'StageName',
        type: 'picklist',
        label: 'Stage',
        nillable: false,
        picklistValues: [
          'Prospecting',
          'Qualification',
          'Proposal/Price Quote',
          'Negotiation/Review',
          'Closed Won',
          'Closed Lost',
        ],
      },
      { name: 'IsClosed', type: 'boolean', label: 'Closed', updateable: false, nillable: false },
      { name: 'IsWon', type: 'boolean', label: 'Won', updateable: false, nillable: false },
      {
        name: 'LeadSource',
        type: 'picklist',
        label: 'Lead Source',
        picklistValues: ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'],
      },
    ],
  },
  {
    name: 'OpportunityContactRole',
    label: 'Opportunity Contact Role',
    keyPrefix: '00K',
    fields: [
      ...system(),
      lookup('OpportunityId', 'Opportunity', false),
      lookup('ContactId', 'Contact'),
      {
        name: 'Role',
        type: 'picklist',
        picklistValues: [
          'Business User',
          'Decision Maker',
          'Economic Buyer',
          'Technical Buyer',
          'Influencer',
          'Other',
        ],
      },
      { name: 'IsPrimary', type: 'boolean', label: 'Primary', nillable: false },
    ],
  },
  {
    name: 'User',
    label: 'User',
    keyPrefix: '005',
    // Users are deactivated, never deleted: the WSDL gives User no IsDeleted.
    fields: [
      ...system().filter((f) => f.name !== 'IsDeleted'),
      { name: 'Username', type: 'string', length: 80, nillable: false },
    ],
  },
];

/** A field the reference declares and the refinements leave alone: its WSDL type, readable, not written. */
function fromReference(name: string, wsdlType: string): FieldSpec {
  const type: FieldType =
    name === 'Id'
      ? 'id'
      : ((
          {
            'tns:ID': 'reference',
            'xsd:boolean': 'boolean',
            'xsd:date': 'date',
            'xsd:dateTime': 'datetime',
            'xsd:double': 'double',
            'xsd:int': 'int',
          } as Record<string, FieldType>
        )[wsdlType] ?? 'string');
  // Writes to these are not modelled: the sandbox refuses them rather than guess their rules.
  return {
    name,
    type,
    updateable: false,
    nillable: type !== 'boolean',
    ...(wsdlType === 'tns:address' ? { compound: true } : {}),
  };
}

function buildObject(o: (typeof STANDARD)[number]): SObjectDef {
  const reference: ReferenceObject = referenceObject(o.name);
  const refined = new Map(o.fields.map((f) => [f.name, f]));
  for (const name of refined.keys()) {
    if (!reference.fields.has(name))
      throw new Error(`schema.ts refines ${o.name}.${name}, which the reference field lists do not declare`);
  }
  const fields = new Map<string, FieldDef>();
  for (const [name, wsdlType] of reference.fields) {
    const spec = { ...(refined.get(name) ?? fromReference(name, wsdlType)) };
    const relationship = name.endsWith('Id') ? name.slice(0, -2) : undefined;
    const target = relationship ? reference.relationships.get(relationship) : undefined;
    if (spec.type === 'reference') {
      // Only a relationship the WSDL declares can be walked: Opportunity.ContactId has none.
      spec.relationshipName = target ? relationship : undefined;
      spec.referenceTo = target ?? spec.referenceTo;
    }
    fields.set(name, field(spec));
  }
  const children = new Map<string, ChildRelationship>();
  for (const name of reference.children) {
    const resolved = childRelationshipOf(o.name, name);
    children.set(name.toLowerCase(), resolved ?? { name: declaredChildRelationship(o.name, name)! });
  }
  return { name: o.name, label: o.label, keyPrefix: o.keyPrefix, fields, children };
}

/** The schema of one org; custom fields are added by deploys. */
export class OrgSchema {
  private readonly objects = new Map<string, SObjectDef>();

  constructor() {
    for (const o of STANDARD) this.objects.set(o.name, buildObject(o));
  }

  /** The object by name, case-insensitively (SOQL and REST are case-insensitive on names). */
  object(name: string): SObjectDef | undefined {
    const exact = this.objects.get(name);
    if (exact) return exact;
    const lower = name.toLowerCase();
    for (const o of this.objects.values()) if (o.name.toLowerCase() === lower) return o;
    return undefined;
  }

  objectByPrefix(prefix: string): SObjectDef | undefined {
    for (const o of this.objects.values()) if (o.keyPrefix === prefix) return o;
    return undefined;
  }

  objectNames(): string[] {
    return [...this.objects.keys()];
  }

  field(object: SObjectDef, name: string): FieldDef | undefined {
    const exact = object.fields.get(name);
    if (exact) return exact;
    const lower = name.toLowerCase();
    for (const f of object.fields.values()) if (f.name.toLowerCase() === lower) return f;
    return undefined;
  }

  /** The lookup field whose relationship name is `name` (`BillToContact` → `BillToContactId`). */
  relationship(object: SObjectDef, name: string): FieldDef | undefined {
    const lower = name.toLowerCase();
    for (const f of object.fields.values()) if (f.relationshipName?.toLowerCase() === lower) return f;
    return undefined;
  }

  /** A child relationship the object declares (`OpportunityContactRoles`), by name, case-insensitively. */
  childRelationship(object: SObjectDef, name: string): ChildRelationship | undefined {
    return object.children.get(name.toLowerCase());
  }

  /** Adds or replaces a custom field; returns whether it was new. */
  upsertCustomField(objectName: string, def: FieldDef): boolean {
    const object = this.object(objectName);
    if (!object) throw new Error(`no object ${objectName}`);
    const existing = this.field(object, def.name);
    object.fields.set(existing?.name ?? def.name, { ...def, name: existing?.name ?? def.name, custom: true });
    return !existing;
  }
}
