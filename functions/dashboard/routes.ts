/** Which of the dashboard API's routes a request is for (dashboard-api.ts lists them). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const ROUTES = new Set([
  'GET /api/dashboard',
  'GET /api/settings',
  'PUT /api/settings',
  'GET /api/data-requests',
]);
/** Export ids are ours (`shopify-<digits>`); anything else names no export. */
const EXPORT_ROUTE = /^GET \/api\/data-requests\/([A-Za-z0-9-]{1,80})$/;

export interface DashboardRoute {
  /** `GET /api/settings`, as the request names it. */
  route: string;
  /** The export a `GET /api/data-requests/{id}` asks for. */
  exportId: string | undefined;
  /** Whether the route is one of ours. */
  known: boolean;
}

export function routeOf(event: APIGatewayProxyEventV2): DashboardRoute {
  const route = `${event.requestContext.http.method} ${event.rawPath}`;
  const exportId = EXPORT_ROUTE.exec(route)?.[1];
  return { route, exportId, known: ROUTES.has(route) || exportId !== undefined };
}
