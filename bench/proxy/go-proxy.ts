/**
 * The Go contender: go-proxy/main.go, Go's httputil.ReverseProxy on one
 * core, built once per bench run into a temporary directory with the local
 * toolchain (standard library only, nothing downloaded). Hosts without Go
 * skip it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** GoProxy: the built binary and the toolchain that built it. */
export interface GoProxy {
  binary: string;
  /** What `go version` printed, e.g. `go1.19.8 linux/amd64`. */
  version: string;
  /** dispose deletes the binary and its directory. */
  dispose(): void;
}

/** GoSkipped: why there is no Go contender in this run. */
export interface GoSkipped {
  skipped: string;
}

const SOURCE_DIR = fileURLToPath(new URL('go-proxy/', import.meta.url));

/**
 * buildGoProxy runs `go build` on go-proxy/ into a new temporary directory.
 * CGO_ENABLED=0 keeps gcc out of it, GOPROXY=off and GOTOOLCHAIN=local keep
 * the network out.
 */
export function buildGoProxy(): GoProxy | GoSkipped {
  const version = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (version.error !== undefined) {
    return { skipped: 'go not found (install it with `apt-get install -y golang-go`)' };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'httpwire-go-proxy-'));
  const binary = path.join(dir, 'go-proxy');
  const build = spawnSync('go', ['build', '-o', binary, '.'], {
    cwd: SOURCE_DIR,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOTOOLCHAIN: 'local' },
  });
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  if (build.status !== 0) {
    dispose();
    const why = build.error?.message ?? build.stderr.trim();
    return { skipped: `go build failed (exit ${build.status}): ${why}` };
  }
  return { binary, version: version.stdout.trim().replace('go version ', ''), dispose };
}
