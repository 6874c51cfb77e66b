/**
 * The standard fields, relationships and child relationships of the objects
 * clv-sync reads, as a real org's Enterprise WSDL declares them
 * (../shared/reference/salesforce/sobjects/enterprise-v51.0-fields.json, read
 * in place; README there). The sandbox's schema is built from this table, so
 * a field, a parent relationship (`BillToContact.Email`) or a child
 * relationship (`(SELECT … FROM OpportunityContactRoles)`) that a real org
 * does not have is refused here as it is there.
 *
 * Two things the file leaves out, added here with their source:
 * - `Id`: every sObject has it; the Enterprise WSDL declares it once, on the
 *   base type `sObject`, not on each object.
 * - Names ending in `__c`: that org's own custom fields, not standard ones.
 *   An org has only the custom fields deployed to it (schema.ts adds ours).
 */
import { readFileSync } from 'node:fs';

interface ReferenceFile {
  apiVersion: string;
  objects: Record<
    string,
    { fields: Record<string, string>; relationships: Record<string, string>; children: string[] }
  >;
}

export interface ReferenceObject {
  name: string;
  /** Field name → its WSDL type (`xsd:string`, `tns:ID`, `xsd:dateTime`, …). */
  fields: Map<string, string>;
  /** Parent relationship name → the object it points to (`BillToContact` → `Contact`). */
  relationships: Map<string, string>;
  /** Child relationship names (`OrderItems`, `OpportunityContactRoles`). */
  children: string[];
}

export const REFERENCE_PATH = new URL(
  '../../../shared/reference/salesforce/sobjects/enterprise-v51.0-fields.json',
  import.meta.url,
);

function load(): Map<string, ReferenceObject> {
  let file: ReferenceFile;
  try {
    file = JSON.parse(readFileSync(REFERENCE_PATH, 'utf8')) as ReferenceFile;
  } catch (error) {
    throw new Error(
      `The Salesforce sandbox reads the real field lists from ${REFERENCE_PATH.pathname} ` +
        `(../shared beside the clone, as in CI): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const out = new Map<string, ReferenceObject>();
  for (const [name, o] of Object.entries(file.objects)) {
    const fields = new Map<string, string>([['Id', 'tns:ID']]);
    for (const [field, type] of Object.entries(o.fields)) if (!field.endsWith('__c')) fields.set(field, type);
    out.set(name, {
      name,
      fields,
      relationships: new Map(Object.entries(o.relationships)),
      children: [...o.children],
    });
  }
  return out;
}

export const REFERENCE_OBJECTS: ReadonlyMap<string, ReferenceObject> = load();

export function referenceObject(name: string): ReferenceObject {
  const o = REFERENCE_OBJECTS.get(name);
  if (!o) throw new Error(`The Salesforce reference field lists have no object ${name}`);
  return o;
}

/** The canonical name of a child relationship the reference declares on `parent`, if any. */
export function declaredChildRelationship(parent: string, childName: string): string | undefined {
  return referenceObject(parent).children.find((c) => c.toLowerCase() === childName.toLowerCase());
}

/**
 * The object and lookup field behind a child relationship, where the
 * reference holds the child object: `Opportunity.OpportunityContactRoles` →
 * OpportunityContactRole by OpportunityId. The WSDL names child relationships
 * without their object; a standard child relationship is the child object's
 * plural (SOQL and SOSL Reference, "Using Relationship Queries"), and the
 * child points back to the parent through exactly one relationship.
 */
export function childRelationshipOf(
  parent: string,
  childName: string,
): { name: string; object: string; field: string } | undefined {
  const declared = declaredChildRelationship(parent, childName);
  if (!declared) return undefined;
  for (const child of REFERENCE_OBJECTS.values()) {
    const plural = child.name.endsWith('y') ? `${child.name.slice(0, -1)}ies` : `${child.name}s`;
    if (plural !== declared) continue;
    const back = [...child.relationships].filter(([, target]) => target === parent);
    if (back.length === 1) return { name: declared, object: child.name, field: `${back[0]![0]}Id` };
  }
  return undefined;
}
