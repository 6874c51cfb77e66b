/**
 * Links from the dashboard's groups to the same customers in the admin's customer list, filtered by
 * the segment query on the `clv` metafields the app writes (definitions created at install, so
 * they are filterable). `shopify://admin/…` is App Bridge's way of opening an admin page from an
 * embedded app; `target="_top"` leaves the iframe.
 */
export const segmentQuery = (key: 'tier' | 'segment', value: string) =>
  `metafields.clv.${key} = '${value.replaceAll("'", "\\'")}'`;

export const segmentQueryUrl = (key: 'tier' | 'segment', value: string) =>
  `shopify://admin/customers?segmentQuery=${encodeURIComponent(segmentQuery(key, value))}`;
