/**
 * A loopback SSM Parameter Store speaking AWS's JSON 1.1 protocol for the one
 * operation the functions use: POST / with `X-Amz-Target:
 * AmazonSSM.GetParameter`, a SigV4 `Authorization` header and a JSON body
 * `{Name, WithDecryption}`. Answers as SSM does: the parameter (a
 * SecureString's value in plaintext only when WithDecryption is true, else a
 * ciphertext blob), or a 400 with `__type` ParameterNotFound or
 * AccessDeniedException. Every request is logged for the tests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SsmRequest {
  target: string;
  name: string;
  withDecryption: boolean;
}

export interface SsmSandbox {
  endpoint: string;
  requests: SsmRequest[];
  /** SecureString parameters, by name. */
  parameters: Map<string, string>;
  /** Names the caller may not read: AccessDeniedException, as a role without the grant gets. */
  denied: Set<string>;
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

export async function startSsmSandbox(): Promise<SsmSandbox> {
  const requests: SsmRequest[] = [];
  const parameters = new Map<string, string>();
  const denied = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': crypto.randomUUID(),
        });
        res.end(JSON.stringify(body));
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      if (
        req.method !== 'POST' ||
        req.url !== '/' ||
        req.headers['content-type'] !== 'application/x-amz-json-1.1'
      )
        return reply(404, { __type: 'UnknownOperationException' });
      if (
        !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/ssm\/aws4_request/.test(
          String(req.headers.authorization ?? ''),
        )
      )
        return reply(400, {
          __type: 'MissingAuthenticationTokenException',
          message: 'Missing Authentication Token',
        });
      if (target !== 'AmazonSSM.GetParameter')
        return reply(400, { __type: 'UnknownOperationException', message: `no operation ${target}` });
      let body: { Name?: unknown; WithDecryption?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return reply(400, { __type: 'SerializationException' });
      }
      if (typeof body.Name !== 'string')
        return reply(400, { __type: 'ValidationException', message: 'Name must not be null' });
      const name = body.Name;
      requests.push({ target, name, withDecryption: body.WithDecryption === true });
      if (denied.has(name))
        return reply(400, {
          __type: 'AccessDeniedException',
          Message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/fn/fn is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
        });
      const value = parameters.get(name);
      if (value === undefined) return reply(400, { __type: 'ParameterNotFound' });
      reply(200, {
        Parameter: {
          ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
          DataType: 'text',
          LastModifiedDate: Date.now() / 1000,
          Name: name,
          Type: 'SecureString',
          // Without decryption SSM returns the KMS ciphertext, never the value.
          Value:
            body.WithDecryption === true ? value : Buffer.from(`kms-ciphertext:${name}`).toString('base64'),
          Version: 1,
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    parameters,
    denied,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
