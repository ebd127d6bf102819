// The package ships no types; this covers the one function capflow calls.
declare module 'pg-copy-streams' {
  import type { Writable } from 'node:stream';
  import type { Submittable } from 'pg';

  /** `COPY … FROM STDIN` as a writable stream; passed to `client.query`, it finishes when the server has taken every row. */
  export interface CopyFromQueryStream extends Writable, Submittable {
    rowCount: number;
  }

  export function from(text: string): CopyFromQueryStream;
}
