import { Buffer } from 'node:buffer';

/** latin1Bytes encodes a string one byte per char (each char must be below 256). */
export function latin1Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** latin1Text decodes bytes one char per byte, so any input shows losslessly in a report. */
export function latin1Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
