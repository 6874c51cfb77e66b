/**
 * The answers of the SOAP listener Salesforce posts outbound messages to: the Ack, or a fault Salesforce
 * shows in the action's delivery status. A Rejection (rejection.ts) is a Client fault with its message and
 * the status its refused error's class decides (shared/errors.ts).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ackEnvelope, soapFault } from '../../integrations/salesforce/outbound-message.ts';
import type { Rejection } from './rejection.ts';

export function soap(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
}

export const soapAck = () => soap(200, ackEnvelope(true));

export const soapRejection = (rejection: Rejection) =>
  soap(rejection.statusCode, soapFault(rejection.message));
