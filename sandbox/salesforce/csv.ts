/**
 * CSV as Bulk API 2.0 speaks it: the job's column delimiter and line ending,
 * every value quoted on the way out (as Salesforce writes its result files),
 * RFC 4180 parsing on the way in (csv-parse, strict about column counts).
 */
import { parse } from 'csv-parse/sync';

export const DELIMITERS = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
} as const;

export type ColumnDelimiter = keyof typeof DELIMITERS;
export type LineEnding = 'LF' | 'CRLF';

export function quote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

export function toCsv(
  rows: string[][],
  delimiter: ColumnDelimiter = 'COMMA',
  lineEnding: LineEnding = 'LF',
): string {
  const eol = lineEnding === 'CRLF' ? '\r\n' : '\n';
  const sep = DELIMITERS[delimiter];
  return rows.map((row) => row.map(quote).join(sep)).join(eol) + (rows.length > 0 ? eol : '');
}

/** Header and rows; throws csv-parse's error on malformed input. */
export function fromCsv(
  text: string,
  delimiter: ColumnDelimiter = 'COMMA',
): { header: string[]; rows: string[][] } {
  const all = parse(text, {
    delimiter: DELIMITERS[delimiter],
    bom: true,
    skip_empty_lines: true,
  }) as string[][];
  const [header = [], ...rows] = all;
  return { header, rows };
}
