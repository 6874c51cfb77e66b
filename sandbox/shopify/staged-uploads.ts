/**
 * Staged uploads for bulk mutation variables, as Shopify hands them out:
 * `stagedUploadsCreate` returns a POST target (a Google Cloud Storage form
 * on Shopify; `${origin}/staged-uploads` here) with signed form parameters,
 * `key` among them; the client posts multipart/form-data with every
 * parameter and the file last; the storage answers 201 with an XML
 * PostResponse; `bulkOperationRunMutation` names the `key` as
 * `stagedUploadPath`. The signature covers the policy, the policy the key
 * and content type, so a form that drops or changes a parameter is refused
 * as storage would refuse it (XML error, 400/403).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ExecContext } from './context.ts';

interface Target {
  shopId: string;
  parameters: { name: string; value: string }[];
  expiresAt: number;
  file?: string;
}

export interface UploadResponse {
  status: number;
  body: string;
  contentType: string;
}

const POLICY_LIFETIME_MS = 60 * 60_000;

const xmlError = (status: number, code: string, message: string): UploadResponse => ({
  status,
  contentType: 'application/xml; charset=UTF-8',
  body: `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

export class StagedUploads {
  private readonly targets = new Map<string, Target>();
  private readonly secret = randomBytes(32);
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  private sign(policy: string): string {
    return createHmac('sha256', this.secret).update(policy).digest('hex');
  }

  /** The `stagedUploadsCreate` mutation. */
  create(
    ctx: ExecContext,
    args: { input: { resource: string; filename: string; mimeType: string; httpMethod?: string | null }[] },
  ) {
    const userErrors = args.input.flatMap((input, i) => {
      const at = (f: string) => ['input', String(i), f];
      if (input.resource !== 'BULK_MUTATION_VARIABLES')
        return [
          {
            field: at('resource'),
            message: `The sandbox stages BULK_MUTATION_VARIABLES only, not ${input.resource}.`,
          },
        ];
      if (input.httpMethod !== 'POST')
        return [
          {
            field: at('httpMethod'),
            message: 'The sandbox stages uploads by POST only: send httpMethod: POST.',
          },
        ];
      if (!input.filename.trim()) return [{ field: at('filename'), message: "Filename can't be blank" }];
      return [];
    });
    if (userErrors.length) return { stagedTargets: [], userErrors };
    const stagedTargets = args.input.map((input) => {
      const key = `tmp/${ctx.shop.id}/bulk/${randomUUID()}/${input.filename}`;
      const expiresAt = this.now() + POLICY_LIFETIME_MS;
      const date = new Date(this.now()).toISOString().replace(/[-:]|\.\d{3}/g, '');
      const policy = Buffer.from(
        JSON.stringify({
          conditions: [
            { 'Content-Type': input.mimeType },
            { success_action_status: '201' },
            { acl: 'private' },
            ['content-length-range', 1, 104857600],
            { bucket: 'shopify-staged-uploads' },
            { key },
            { 'x-goog-date': date },
            { 'x-goog-credential': `sandbox-staged-uploads/${date.slice(0, 8)}/auto/storage/goog4_request` },
            { 'x-goog-algorithm': 'GOOG4-HMAC-SHA256' },
          ],
          expiration: new Date(expiresAt).toISOString(),
        }),
      ).toString('base64');
      const parameters = [
        { name: 'Content-Type', value: input.mimeType },
        { name: 'success_action_status', value: '201' },
        { name: 'acl', value: 'private' },
        { name: 'key', value: key },
        { name: 'x-goog-date', value: date },
        {
          name: 'x-goog-credential',
          value: `sandbox-staged-uploads/${date.slice(0, 8)}/auto/storage/goog4_request`,
        },
        { name: 'x-goog-algorithm', value: 'GOOG4-HMAC-SHA256' },
        { name: 'x-goog-signature', value: this.sign(policy) },
        { name: 'policy', value: policy },
      ];
      this.targets.set(key, { shopId: ctx.shop.id, parameters, expiresAt });
      return { url: `${ctx.runtime.origin}/staged-uploads`, resourceUrl: null, parameters };
    });
    return { stagedTargets, userErrors: [] };
  }

  /** The storage's form endpoint. */
  async receive(contentType: string | undefined, body: Buffer): Promise<UploadResponse> {
    if (!contentType?.startsWith('multipart/form-data'))
      return xmlError(400, 'InvalidArgument', 'POST requires a multipart/form-data body.');
    let form: FormData;
    try {
      form = await new Request('http://storage.invalid/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      }).formData();
    } catch {
      return xmlError(400, 'InvalidArgument', 'The multipart body could not be read.');
    }
    const entries = [...form.entries()];
    const last = entries.at(-1);
    if (!last || last[0] !== 'file' || typeof last[1] === 'string')
      return xmlError(400, 'InvalidArgument', 'The file must be the last field of the form.');
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v : undefined;
    };
    const key = field('key');
    const target = key ? this.targets.get(key) : undefined;
    const policy = field('policy') ?? '';
    const signature = Buffer.from(field('x-goog-signature') ?? '');
    const expected = target ? Buffer.from(this.sign(policy)) : Buffer.alloc(0);
    if (!target || signature.length !== expected.length || !timingSafeEqual(signature, expected))
      return xmlError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    if (this.now() > target.expiresAt)
      return xmlError(400, 'InvalidPolicyDocument', 'Invalid argument. Policy expired.');
    for (const p of target.parameters) {
      if (field(p.name) !== p.value)
        return xmlError(
          403,
          'AccessDenied',
          `Invalid according to Policy: Policy Condition failed: ["eq", "$${p.name}", "${p.value}"]`,
        );
    }
    const file = last[1] as File;
    if (file.size < 1)
      return xmlError(
        400,
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum object size specified in your Policy Document.',
      );
    target.file = await file.text();
    return {
      status: 201,
      contentType: 'application/xml; charset=UTF-8',
      body: `<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>https://shopify-staged-uploads.storage.googleapis.com/${key}</Location><Bucket>shopify-staged-uploads</Bucket><Key>${key}</Key><ETag>"${createHmac('md5', 'etag').update(target.file).digest('hex')}"</ETag></PostResponse>`,
    };
  }

  /** The uploaded file at a staged upload path, if this shop uploaded one there. */
  file(key: string, shopId: string): string | undefined {
    const target = this.targets.get(key);
    return target?.shopId === shopId ? target.file : undefined;
  }
}
