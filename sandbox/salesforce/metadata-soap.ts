/**
 * The Metadata API SOAP endpoint, `POST /services/Soap/m/{version}`, for the
 * calls jsforce's `conn.metadata` makes: `deploy` (+ `checkDeployStatus`,
 * Queued → InProgress → Succeeded | SucceededPartial | Failed, one step per
 * check), `readMetadata` and `upsertMetadata` for CustomField (the simpler
 * CRUD route a setup command may take; at most 10 components per call).
 *
 * The session travels in the envelope's SessionHeader, not in an HTTP header.
 * Faults are SOAP faults with HTTP 500, `<faultcode>sf:INVALID_SESSION_ID</faultcode>`
 * and the code-prefixed faultstring, the shape jsforce's SOAP client reads and
 * its session refresh keys on.
 */
import type { ApiRequest, SandboxContext } from './context.ts';
import { store } from './context.ts';
import { KEY_PREFIX } from './ids.ts';
import type { DeployMessage, DeployPlan } from './metadata-deploy.ts';
import { applyDeploy, planDeploy } from './metadata-deploy.ts';
import { fieldFromMetadata, fieldToMetadata, sameField } from './metadata-fields.ts';
import { authenticate } from './oauth.ts';
import type { Reply } from './reply.ts';
import { ApiError } from './reply.ts';
import type { XmlNode, XmlOut } from './xml.ts';
import { XmlError, list, parseXml, text, toXml } from './xml.ts';

const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';
const ARRAYS = new Set(['metadata', 'fullNames', 'value', 'runTests']);
export const MAX_CRUD_COMPONENTS = 10;

interface DeployRecord {
  id: string;
  plan: DeployPlan;
  checkOnly: boolean;
  rollbackOnError: boolean;
  ignoreWarnings: boolean;
  createdDate: number;
  checks: number;
  status: 'Queued' | 'InProgress' | 'Succeeded' | 'SucceededPartial' | 'Failed';
  startDate?: number;
  completedDate?: number;
  successes: DeployMessage[];
  failures: DeployMessage[];
}

const deploysOf = (ctx: SandboxContext) => store(ctx, 'deploys', () => new Map<string, DeployRecord>());
const fieldIdsOf = (ctx: SandboxContext) => store(ctx, 'field-ids', () => new Map<string, string>());

function envelope(inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="${METADATA_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`
  );
}

const xmlReply = (status: number, body: string): Reply => ({
  status,
  headers: { 'Content-Type': 'text/xml;charset=UTF-8' },
  body,
});

/** A Metadata API fault: HTTP 500, `sf:CODE`, "CODE: message". */
export function soapFault(code: string, message: string, status = 500): ApiError {
  const body = envelope(
    `<soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${escape(`${code}: ${message}`)}</faultstring>` +
      `<detail><sf:ApiFault xmlns:sf="${METADATA_NS}"><sf:exceptionCode>${code}</sf:exceptionCode>` +
      `<sf:exceptionMessage>${escape(message)}</sf:exceptionMessage></sf:ApiFault></detail></soapenv:Fault>`,
  );
  return new ApiError(xmlReply(status, body), `${code}: ${message}`);
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function respond(method: string, result: XmlOut): Reply {
  return xmlReply(200, envelope(`<${method}Response>${toXml('result', result)}</${method}Response>`));
}

/** The session id a SOAP call carries, read before anything else is trusted. */
export function parseSoapCall(req: ApiRequest): SoapCall {
  let doc: XmlNode;
  try {
    doc = parseXml(req.body.toString('utf8'), ARRAYS);
  } catch (err) {
    if (err instanceof XmlError)
      throw soapFault('INVALID_XML', `Could not parse the request: ${err.message}`);
    throw err;
  }
  const env = doc.Envelope as XmlNode | undefined;
  const body = env?.Body as XmlNode | undefined;
  if (!env || !body || typeof body !== 'object')
    throw soapFault('INVALID_XML', 'The request is not a SOAP envelope');
  const session = (env.Header as XmlNode | undefined)?.SessionHeader as XmlNode | undefined;
  const [method, args] = Object.entries(body).find(([k]) => !k.startsWith('@')) ?? ['', ''];
  return {
    sessionId: text(session?.sessionId),
    method,
    args: typeof args === 'object' ? (args as XmlNode) : {},
  };
}

export interface SoapCall {
  sessionId?: string;
  method: string;
  args: XmlNode;
}

/** Checks the SessionHeader's session as the REST endpoints check the bearer token. */
export function authenticateSoap(ctx: SandboxContext, call: SoapCall): void {
  try {
    authenticate(ctx.org, call.sessionId);
  } catch {
    throw soapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
  }
}

export function handleMetadata(ctx: SandboxContext, call: SoapCall): Reply {
  switch (call.method) {
    case 'deploy':
      return deploy(ctx, call.args);
    case 'checkDeployStatus':
      return checkDeployStatus(ctx, call.args);
    case 'readMetadata':
      return readMetadata(ctx, call.args);
    case 'upsertMetadata':
      return upsertMetadata(ctx, call.args);
    default:
      throw soapFault(
        'INVALID_OPERATION',
        `The sandbox's Metadata API does not implement ${call.method || '(no operation)'}`,
      );
  }
}

function bool(node: XmlNode | undefined, key: string, fallback: boolean): boolean {
  const v = text(node?.[key]);
  return v === undefined ? fallback : v === 'true';
}

function deploy(ctx: SandboxContext, args: XmlNode): Reply {
  const zip = text(args.ZipFile);
  if (!zip) throw soapFault('INVALID_CROSS_REFERENCE_KEY', 'No ZipFile was sent with the deploy call');
  const options = args.DeployOptions as XmlNode | undefined;
  const record: DeployRecord = {
    id: ctx.org.ids.next(KEY_PREFIX.DeployRequest),
    plan: planDeploy(ctx.org, zip, bool(options, 'singlePackage', false)),
    checkOnly: bool(options, 'checkOnly', false),
    rollbackOnError: bool(options, 'rollbackOnError', false),
    ignoreWarnings: bool(options, 'ignoreWarnings', false),
    createdDate: ctx.org.now(),
    checks: 0,
    status: 'Queued',
    successes: [],
    failures: [],
  };
  deploysOf(ctx).set(record.id, record);
  return respond('deploy', { done: false, id: record.id, state: 'Queued' });
}

function checkDeployStatus(ctx: SandboxContext, args: XmlNode): Reply {
  const id = text(args.asyncProcessId) ?? '';
  const record = deploysOf(ctx).get(id);
  if (!record) throw soapFault('INVALID_ID_FIELD', `invalid id: ${id}`);
  const includeDetails = bool(args, 'includeDetails', false);
  advance(ctx, record);
  const done = record.status !== 'Queued' && record.status !== 'InProgress';
  const plan = record.plan;
  const total = plan.components.length;
  const result: Record<string, XmlOut> = {
    checkOnly: record.checkOnly,
    completedDate: record.completedDate ? new Date(record.completedDate).toISOString() : undefined,
    createdBy: ctx.org.userId,
    createdByName: 'Integration User',
    createdDate: new Date(record.createdDate).toISOString(),
    details: includeDetails
      ? {
          componentFailures: record.failures as unknown as XmlOut[],
          componentSuccesses: record.successes as unknown as XmlOut[],
          runTestResult: { numFailures: 0, numTestsRun: 0, totalTime: 0 },
        }
      : undefined,
    done,
    errorMessage: plan.errorMessage,
    errorStatusCode: plan.errorMessage ? 'UNKNOWN_EXCEPTION' : undefined,
    id: record.id,
    ignoreWarnings: record.ignoreWarnings,
    lastModifiedDate: new Date(ctx.org.now()).toISOString(),
    numberComponentErrors: record.failures.length,
    numberComponentsDeployed: done ? Math.max(0, record.successes.length - 1) : 0,
    numberComponentsTotal: total,
    numberTestErrors: 0,
    numberTestsCompleted: 0,
    numberTestsTotal: 0,
    rollbackOnError: record.rollbackOnError,
    runTestsEnabled: false,
    startDate: record.startDate ? new Date(record.startDate).toISOString() : undefined,
    status: record.status,
    success: record.status === 'Succeeded',
  };
  return respond('checkDeployStatus', result);
}

function advance(ctx: SandboxContext, record: DeployRecord): void {
  record.checks++;
  if (record.status === 'Queued') {
    record.status = 'InProgress';
    record.startDate = ctx.org.now();
    return;
  }
  if (record.status !== 'InProgress') return;
  record.completedDate = ctx.org.now();
  if (record.plan.errorMessage) {
    record.status = 'Failed';
    return;
  }
  const { successes, failures } = applyDeploy(ctx.org, record.plan, {
    checkOnly: record.checkOnly,
    rollbackOnError: record.rollbackOnError,
    fieldIds: fieldIdsOf(ctx),
  });
  record.failures = failures;
  if (failures.length === 0) {
    record.successes = successes;
    record.status = 'Succeeded';
  } else if (record.rollbackOnError) {
    record.successes = [];
    record.status = 'Failed';
  } else {
    record.successes = successes;
    record.status = successes.length > 1 ? 'SucceededPartial' : 'Failed';
  }
}

function readMetadata(ctx: SandboxContext, args: XmlNode): Reply {
  const type = text(args.type) ?? '';
  const names = list(args.fullNames).map((n) => text(n) ?? '');
  if (type !== 'CustomField') {
    throw soapFault(
      'INVALID_TYPE',
      `The sandbox's readMetadata reads CustomField, not ${type || '(no type)'}`,
    );
  }
  const records = names.map((fullName): XmlOut => {
    const [objectName = '', fieldName = ''] = fullName.split('.', 2);
    const object = ctx.org.schema.object(objectName);
    const def = object ? ctx.org.schema.field(object, fieldName) : undefined;
    // A component that does not exist reads as an empty record, not as a fault.
    return def?.custom && object ? fieldToMetadata(object.name, def) : null;
  });
  return respond('readMetadata', { records });
}

function upsertMetadata(ctx: SandboxContext, args: XmlNode): Reply {
  const items = list(args.metadata) as XmlNode[];
  if (items.length > MAX_CRUD_COMPONENTS) {
    throw soapFault(
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_CRUD_COMPONENTS} records into this call`,
    );
  }
  const results = items.map((item): XmlOut => {
    const type = text(item['@type']) ?? '';
    const fullName = text(item.fullName) ?? '';
    const error = (statusCode: string, message: string) => ({
      created: false,
      errors: { fields: undefined, message, statusCode },
      fullName,
      success: false,
    });
    if (type !== 'CustomField')
      return error(
        'INVALID_TYPE',
        `The sandbox's upsertMetadata writes CustomField, not ${type || '(no xsi:type)'}`,
      );
    const [objectName = '', fieldName = ''] = fullName.split('.', 2);
    const object = ctx.org.schema.object(objectName);
    if (!object)
      return error(
        'INVALID_CROSS_REFERENCE_KEY',
        `In field: fullName - no CustomObject named ${objectName} found`,
      );
    const existing = ctx.org.schema.field(object, fieldName);
    if (existing && !existing.custom)
      return error('FIELD_INTEGRITY_EXCEPTION', `Cannot modify standard field ${fullName}`);
    const parsed = fieldFromMetadata(fieldName, item);
    if (!parsed.ok) return error('FIELD_INTEGRITY_EXCEPTION', parsed.problem);
    if (!existing || !sameField(existing, parsed.def))
      ctx.org.schema.upsertCustomField(object.name, parsed.def);
    const ids = fieldIdsOf(ctx);
    if (!ids.has(`${object.name}.${parsed.def.name}`.toLowerCase())) {
      ids.set(`${object.name}.${parsed.def.name}`.toLowerCase(), ctx.org.ids.next(KEY_PREFIX.CustomField));
    }
    return { created: !existing, fullName: `${object.name}.${parsed.def.name}`, success: true };
  });
  return respond('upsertMetadata', results);
}
