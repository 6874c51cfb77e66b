import { PermanentError } from '../shared/errors.ts';

/** A problem in a user's input file, reported as `file:line: problem`. */
export class InputFileError extends PermanentError {
  override name = 'InputFileError';
  readonly file: string;
  readonly line: number | null;
  constructor(file: string, line: number | null, problem: string) {
    super(`${file}${line === null ? '' : `:${line}`}: ${problem}`);
    this.file = file;
    this.line = line;
  }
}
