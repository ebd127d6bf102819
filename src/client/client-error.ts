/** Why a client call failed. */
export type CapflowClientErrorKind =
  /** The server answered the request with a non-zero status (`status`, `code`). */
  | 'response'
  /** An HTTP endpoint refused (`httpStatus`, and `code` from the error body). */
  | 'http'
  /** The server could not be reached over HTTP, or a stream from it broke off. */
  | 'unreachable'
  /** The connection closed before the answer came (`closeCode` when the server said why). */
  | 'closed'
  /** No answer within the request timeout. */
  | 'timeout'
  /** Bad configuration or use of the API. */
  | 'usage';

export interface CapflowClientErrorFields {
  kind: CapflowClientErrorKind;
  status?: number;
  code?: number;
  httpStatus?: number;
  closeCode?: number;
}

/** The one error type of the client SDK; `status`/`code` mirror the wire (e.g. 7 / 301600). */
export class CapflowClientError extends Error {
  readonly kind: CapflowClientErrorKind;
  readonly status: number | undefined;
  readonly code: number | undefined;
  readonly httpStatus: number | undefined;
  readonly closeCode: number | undefined;

  constructor(message: string, fields: CapflowClientErrorFields) {
    super(message);
    this.name = 'CapflowClientError';
    this.kind = fields.kind;
    this.status = fields.status;
    this.code = fields.code;
    this.httpStatus = fields.httpStatus;
    this.closeCode = fields.closeCode;
  }
}
