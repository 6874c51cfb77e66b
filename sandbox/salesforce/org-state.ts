/**
 * One org's data in the sandbox: records by sObject type, the schema (which
 * grows when custom fields are deployed), issued access tokens, the API usage
 * counter, and a log of every committed field write so a test can prove a
 * value was written exactly once. Plain maps and arrays, open to tests: a test
 * arranges an org by loading records, and asserts on what production code
 * left in it.
 */
import type { StoredValue } from './field-values.ts';
import { IdFactory, KEY_PREFIX, isWellFormedId, to18 } from './ids.ts';
import type { FieldDef } from './schema.ts';
import { OrgSchema } from './schema.ts';

/** A record as stored: field name → value; dates `YYYY-MM-DD`, date-times ISO (UTC). */
export type SfRecord = Record<string, StoredValue> & { Id: string };

export interface FieldWrite {
  sobject: string;
  id: string;
  field: string;
  value: unknown;
}

export interface TokenRecord {
  token: string;
  /** How it was issued: 'jwt-bearer', 'client_credentials' or 'test'. */
  grant: string;
  username: string;
  issuedAt: number;
  expired: boolean;
}

export interface PermissionSetRecord {
  name: string;
  label: string;
  /** `Contact.CLV_Predicted__c` → readable/editable. */
  fieldPermissions: Map<string, { readable: boolean; editable: boolean }>;
}

/** An Order status category (Object Reference, OrderStatus.StatusCode): every Status value has one. */
export type OrderStatusCategory = 'Draft' | 'Activated';

export class OrgState {
  readonly orgId: string;
  readonly userId: string;
  readonly username: string;
  readonly schema = new OrgSchema();
  /** Records by sObject API name, then by 18-character id. */
  readonly records = new Map<string, Map<string, SfRecord>>();
  readonly writes: FieldWrite[] = [];
  readonly tokens = new Map<string, TokenRecord>();
  readonly permissionSets = new Map<string, PermissionSetRecord>();
  /** Layouts deployed, by full name; kept only so a redeploy reports "unchanged". */
  readonly layouts = new Map<string, string>();
  readonly apiUsage: { used: number; limit: number };
  readonly ids = new IdFactory('5g');
  /**
   * The org's Order Status picklist, value → category: Draft and Activated as
   * every org has them, and the values an admin adds in Setup (addOrderStatus).
   */
  readonly orderStatuses = new Map<string, OrderStatusCategory>([
    ['Draft', 'Draft'],
    ['Activated', 'Activated'],
  ]);
  /** The org's clock; tests may replace it to make timestamps predictable. */
  now: () => number = () => Date.now();
  private orderNumber = 0;

  constructor(options: { orgId: string; dailyApiLimit: number; username?: string }) {
    this.orgId = options.orgId;
    this.userId = this.ids.next(KEY_PREFIX.User);
    this.username = options.username ?? 'integration@clv-sync.sandbox';
    this.apiUsage = { used: 0, limit: options.dailyApiLimit };
    for (const name of this.schema.objectNames()) this.records.set(name, new Map());
  }

  /**
   * Adds an Order Status value in a category, as an admin does in Setup ›
   * Order › Status (e.g. 'Shipped' in Activated): Status then accepts it, and
   * an Order with it has that StatusCode.
   */
  addOrderStatus(value: string, category: OrderStatusCategory): void {
    const status = this.schema.field(this.schema.object('Order')!, 'Status')!;
    if (!status.picklistValues!.includes(value)) status.picklistValues!.push(value);
    this.orderStatuses.set(value, category);
  }

  /** The StatusCode of an Order Status value; a value the org does not have is a test's mistake. */
  private statusCode(status: StoredValue | undefined): OrderStatusCategory | null {
    if (status === null || status === undefined) return null;
    const code = this.orderStatuses.get(String(status));
    if (!code)
      throw new Error(`The sandbox org has no Order status ${String(status)}; add it with addOrderStatus`);
    return code;
  }

  /** The stored records of a type, in insertion order. */
  all(sobject: string): SfRecord[] {
    return [...this.table(sobject).values()];
  }

  get(sobject: string, id: string): SfRecord | undefined {
    return this.table(sobject).get(to18(id));
  }

  /** Whether the org has this field (custom fields only once deployed). */
  hasField(sobject: string, field: string): boolean {
    const object = this.schema.object(sobject);
    return !!object && !!this.schema.field(object, field);
  }

  /** The custom fields of an object, as deployed. */
  customFields(sobject: string): FieldDef[] {
    const object = this.schema.object(sobject);
    return object ? [...object.fields.values()].filter((f) => f.custom) : [];
  }

  /**
   * Adds a record as a test arranges it (no API validation beyond field names);
   * fills Id and the system fields it lacks. Returns the stored record.
   */
  insert(sobject: string, fields: Record<string, StoredValue>): SfRecord {
    const object = this.schema.object(sobject);
    if (!object) throw new Error(`The sandbox org has no sObject ${sobject}`);
    for (const name of Object.keys(fields)) {
      if (!this.schema.field(object, name)) throw new Error(`${object.name} has no field ${name}`);
    }
    const id = fields.Id ? to18(String(fields.Id)) : this.ids.next(object.keyPrefix);
    if (!isWellFormedId(id) || id.slice(0, 3) !== object.keyPrefix) {
      throw new Error(`${id} is not a ${object.name} id`);
    }
    const table = this.table(object.name);
    if (table.has(id)) throw new Error(`${object.name} ${id} already exists`);
    const stamp = new Date(this.now()).toISOString();
    const record: SfRecord = {
      ...(object.fields.has('IsDeleted') ? { IsDeleted: false } : {}),
      CreatedDate: stamp,
      ...fields,
      Id: id,
    };
    record.LastModifiedDate ??= record.CreatedDate ?? stamp;
    record.SystemModstamp ??= record.LastModifiedDate;
    if (object.name === 'Contact') record.Name = contactName(record);
    if (object.name === 'Order') {
      record.OrderNumber ??= String(++this.orderNumber).padStart(8, '0');
      record.IsReductionOrder ??= false;
      record.StatusCode = this.statusCode(record.Status);
    }
    if (object.name === 'Opportunity') {
      const stage = String(record.StageName ?? '');
      record.IsClosed = stage.startsWith('Closed');
      record.IsWon = stage === 'Closed Won';
    }
    if (object.name === 'OpportunityContactRole') record.IsPrimary ??= false;
    table.set(id, record);
    return record;
  }

  /** Loads a generated history (or any `{ sObjectPlural: records[] }` bundle) in dependency order. */
  load(history: {
    accounts?: Record<string, StoredValue>[];
    contacts?: Record<string, StoredValue>[];
    orders?: Record<string, StoredValue>[];
    orderItems?: Record<string, StoredValue>[];
    opportunities?: Record<string, StoredValue>[];
    contactRoles?: Record<string, StoredValue>[];
  }): void {
    const steps: [string, Record<string, StoredValue>[] | undefined][] = [
      ['Account', history.accounts],
      ['Contact', history.contacts],
      ['Order', history.orders],
      ['OrderItem', history.orderItems],
      ['Opportunity', history.opportunities],
      ['OpportunityContactRole', history.contactRoles],
    ];
    for (const [sobject, rows] of steps) for (const row of rows ?? []) this.insert(sobject, row);
  }

  /**
   * Applies validated changes to a stored record, logging each field write and
   * stamping LastModifiedDate/SystemModstamp, as a committed update does.
   */
  commitUpdate(sobject: string, id: string, changes: Record<string, StoredValue>): void {
    const record = this.get(sobject, id);
    if (!record) throw new Error(`${sobject} ${id} does not exist`);
    for (const [field, value] of Object.entries(changes)) {
      record[field] = value;
      this.writes.push({ sobject, id: record.Id, field, value });
    }
    if (sobject === 'Contact') record.Name = contactName(record);
    if (this.schema.object(sobject)?.name === 'Order' && 'Status' in changes)
      record.StatusCode = this.statusCode(record.Status);
    const stamp = new Date(this.now()).toISOString();
    record.LastModifiedDate = stamp;
    record.SystemModstamp = stamp;
  }

  private table(sobject: string): Map<string, SfRecord> {
    const name = this.schema.object(sobject)?.name;
    const table = name ? this.records.get(name) : undefined;
    if (!table) throw new Error(`The sandbox org has no sObject ${sobject}`);
    return table;
  }
}

function contactName(record: SfRecord): string {
  return [record.FirstName, record.LastName]
    .filter((p) => p !== null && p !== undefined && p !== '')
    .join(' ');
}
