/**
 * REST payloads write times in the shop's time zone with its offset
 * (`2026-03-14T10:22:31-04:00`); GraphQL writes UTC (`…Z`). Both name the
 * same instant, and parsers must treat them so.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function restTime(isoUtc: string, timeZone = 'UTC'): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(isoUtc)).map((p) => [p.type, p.value]));
  const offset = /GMT([+-]\d{2}:\d{2})?/.exec(parts.timeZoneName ?? '')?.[1] ?? '+00:00';
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/** A DateTime as GraphQL writes it: UTC, whole seconds. */
export const graphqlTime = (iso: string): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
