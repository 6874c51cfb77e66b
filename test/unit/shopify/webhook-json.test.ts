import { describe, expect, it } from 'vitest';
import { refundFromWebhook } from '../../../integrations/shopify/order-from-webhook.ts';
import { parseWebhookJson, WebhookJsonError } from '../../../integrations/shopify/webhook-json.ts';
import { catchError } from '../../helpers/catch-error.ts';

// Shopify's documented order id (orders/create, refunds/create): 64-bit, above 2^53 = 9007199254740992.
const ORDER_ID = '820982911946154508';

describe('parseWebhookJson', () => {
  it('keeps an integer above 2^53 as its digits, where JSON.parse rounds it', () => {
    const body = `{"id":${ORDER_ID},"customer":{"id":115310627314723954},"ids":[${ORDER_ID},12]}`;
    expect(JSON.parse(body).id).toBe(820982911946154500); // what main read: the last digits lost
    expect(parseWebhookJson(body)).toEqual({
      id: ORDER_ID,
      customer: { id: '115310627314723954' },
      ids: [ORDER_ID, 12],
    });
  });

  it('leaves everything else as JSON.parse reads it', () => {
    const body =
      '{"safe":9007199254740991,"price":89.99,"subtotal":21.6,"exp":1e20,"neg":-9223372036854775808,' +
      `"text":"${ORDER_ID}","test":false,"none":null,"big_decimal":12345678901234567.5}`;
    expect(parseWebhookJson(body)).toEqual({
      safe: 9007199254740991,
      price: 89.99,
      subtotal: 21.6,
      exp: 1e20, // not an integer literal: no id is written so
      neg: '-9223372036854775808', // digits, which the id schemas refuse (ids are not negative)
      text: ORDER_ID,
      test: false,
      none: null,
      big_decimal: Number('12345678901234567.5'), // a decimal: rounded as ever, and no id
    });
    const plain = '{"id":123,"a":[1,2.5,"x"]}';
    expect(parseWebhookJson(plain)).toEqual(JSON.parse(plain));
  });

  it('lets refunds/create name its order exactly (defect 5)', () => {
    const body = `{"id":890088186047892319,"order_id":${ORDER_ID},"created_at":"2021-12-31T19:00:00-05:00"}`;
    expect(() => refundFromWebhook(JSON.parse(body))).toThrow(/order_id.*above 2\^53/s);
    expect(refundFromWebhook(parseWebhookJson(body))).toMatchObject({
      orderId: ORDER_ID,
      refundId: '890088186047892319',
    });
  });

  it('refuses what is not JSON, without quoting the body', () => {
    const error = catchError(() => parseWebhookJson('{"email":"maria@example.com",'));
    expect(error).toBeInstanceOf(WebhookJsonError);
    expect((error as Error).message).toBe('body is not valid JSON');
  });

  it('refuses a body nested too deeply for the reviver as such, not as a crash', () => {
    const depth = 200_000;
    const body = `${'['.repeat(depth)}${ORDER_ID}${']'.repeat(depth)}`;
    const error = catchError(() => parseWebhookJson(body));
    expect(error).toBeInstanceOf(WebhookJsonError);
    expect((error as Error).message).toBe('body nests too deeply to read');
  });
});
