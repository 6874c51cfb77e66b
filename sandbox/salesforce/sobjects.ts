/**
 * The sObject resources a setup or write-back path may touch besides
 * Collections: `GET /sobjects/{type}/describe` (which fields exist: how a setup
 * command checks a deploy landed), `GET /sobjects/{type}/{id}` and the
 * single-record `PATCH /sobjects/{type}/{id}` (204 on success; on failure a
 * 400 error array carrying `fields`), with the same checks as Collections.
 */
import type { ApiRequest, SandboxContext } from './context.ts';
import { readJson } from './context.ts';
import { JsonTypeError } from './field-values.ts';
import { checkFields, checkId } from './record-writes.ts';
import type { Reply } from './reply.ts';
import { json, notFound, restError } from './reply.ts';
import { attributes, outputValue } from './soql-run.ts';

export function handleSObjects(ctx: SandboxContext, req: ApiRequest): Reply {
  const [, typeName, second] = req.segments;
  if (!typeName) {
    if (req.method !== 'GET') throw notFound();
    return json(200, {
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: ctx.org.schema.objectNames().map((name) => describeSummary(ctx, name)),
    });
  }
  const object = ctx.org.schema.object(typeName);
  if (!object) throw restError(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (second === 'describe' && req.method === 'GET') return json(200, describe(ctx, object.name));
  if (!second && req.method === 'GET') return json(200, describeSummary(ctx, object.name));
  if (!second) throw notFound();
  if (req.method === 'GET') {
    const record = ctx.org.get(object.name, second);
    if (!record || !/^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/.test(second)) throw notFound();
    const out: Record<string, unknown> = { attributes: attributes(object.name, record.Id, req.version!) };
    const wanted = req.query
      .get('fields')
      ?.split(',')
      .map((f) => f.trim());
    for (const def of object.fields.values()) {
      if (wanted && !wanted.some((w) => w.toLowerCase() === def.name.toLowerCase())) continue;
      out[def.name] = outputValue(def, record[def.name]);
    }
    return json(200, out);
  }
  if (req.method === 'PATCH') {
    const values = readJson(req) as Record<string, unknown>;
    if (!values || typeof values !== 'object' || Array.isArray(values)) {
      throw restError(400, 'JSON_PARSER_ERROR', 'Cannot deserialize instance of sObject from START_ARRAY');
    }
    const idCheck = checkId(ctx.org, object, second);
    if (idCheck.error) {
      if (idCheck.error.statusCode === 'INVALID_CROSS_REFERENCE_KEY') throw notFound();
      throw restError(400, idCheck.error.statusCode, idCheck.error.message, idCheck.error.fields);
    }
    const { attributes: _attributes, ...fields } = values;
    let checked;
    try {
      checked = checkFields(ctx.org, object, fields, 'json');
    } catch (err) {
      if (err instanceof JsonTypeError)
        throw restError(400, 'JSON_PARSER_ERROR', `${err.message} at [line:1, column:1]`);
      throw err;
    }
    const first = checked.errors[0];
    if (first) {
      // A single-record write answers with its first problem, as the REST API does.
      throw restError(400, first.statusCode, first.message, first.fields);
    }
    ctx.org.commitUpdate(object.name, idCheck.id, checked.changes);
    return { status: 204, records: 1 };
  }
  throw restError(
    405,
    'METHOD_NOT_ALLOWED',
    `HTTP Method '${req.method}' not allowed. Allowed are GET,PATCH`,
  );
}

function describeSummary(ctx: SandboxContext, name: string) {
  const object = ctx.org.schema.object(name)!;
  return {
    name: object.name,
    label: object.label,
    keyPrefix: object.keyPrefix,
    custom: false,
    queryable: true,
    updateable: true,
    urls: { sobject: `/services/data/v${ctx.settings.apiVersion}/sobjects/${object.name}` },
  };
}

function describe(ctx: SandboxContext, name: string) {
  const object = ctx.org.schema.object(name)!;
  return {
    ...describeSummary(ctx, name),
    fields: [...object.fields.values()].map((f) => ({
      name: f.name,
      label: f.label,
      type: f.compound ? 'address' : f.type,
      custom: f.custom,
      updateable: f.updateable,
      createable: f.updateable,
      nillable: f.nillable,
      length: f.length ?? 0,
      precision: f.precision ?? 0,
      scale: f.scale ?? 0,
      referenceTo: f.referenceTo ? [f.referenceTo] : [],
      relationshipName: f.relationshipName ?? null,
      restrictedPicklist: !!f.restricted,
      picklistValues: (f.picklistValues ?? []).map((value) => ({
        active: true,
        defaultValue: false,
        label: value,
        value,
      })),
    })),
  };
}
