import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Machine: what a result needs next to it to mean anything. */
export interface Machine {
  cpu: string;
  cores: number;
  /** CPUs this process may run on (Linux `Cpus_allowed_list`), or null elsewhere. */
  allowedCpus: string | null;
  memoryGiB: number;
  os: string;
  node: string;
  llhttp: string;
}

/** machine describes the host and runtime of this process. */
export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    allowedCpus: allowedCpus(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    llhttp: process.versions.llhttp ?? 'unknown',
  };
}

function allowedCpus(): string | null {
  try {
    const status = readFileSync('/proc/self/status', 'latin1');
    const line = status.split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
    return line === undefined ? null : line.slice(line.indexOf(':') + 1).trim();
  } catch {
    return null;
  }
}

/** formatTable lays out rows under headers; the first column is left-aligned, the rest right. */
export function formatTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** formatRate prints a rate with three significant figures and a k/M suffix. */
export function formatRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toPrecision(3)} M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toPrecision(3)} k`;
  return perSec.toPrecision(3);
}

/** formatBytes prints a byte count in B or KiB. */
export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}
