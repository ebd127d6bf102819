/**
 * Codes of the close push (command 0): the generated enum of control.proto, the one definition.
 * As a TypeScript enum it also maps a number to its name (`CloseCode[4] === 'AuthError'`).
 */
export { Close_Code as CloseCode } from '../gen/control_pb.js';
import { Close_Code } from '../gen/control_pb.js';

/** The close code's name for messages (`AuthError`), or `code N` when unknown. */
export function closeCodeName(code: number): string {
  return Close_Code[code] ?? `code ${code}`;
}
