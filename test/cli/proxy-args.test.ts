/** parseProxyArgs: the flags of `httpwire proxy`, and the bad command lines it refuses. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/flags.js';
import { parseProxyArgs } from '../../src/cli/proxy-args.js';

const env = { PORT: '8080' };

describe('parseProxyArgs', () => {
  it('reads repeated targets with weights and every balancing flag', () => {
    const args = parseProxyArgs(
      [
        '--target',
        'http://127.0.0.1:3001',
        '--target=http://127.0.0.1:3002/api,weight=3',
        '--lb',
        'random-two',
        '--health-path',
        '/health',
        '--health-interval',
        '500',
        '--retries',
        '0',
        '--change-origin',
        '--log-format',
        'combined',
        '--admin',
        ':9090',
        '--workers',
        '0',
      ],
      env,
    );
    expect(args).toMatchObject({
      targets: [
        { url: 'http://127.0.0.1:3001', weight: 1 },
        { url: 'http://127.0.0.1:3002/api', weight: 3 },
      ],
      lb: 'random-two',
      healthPath: '/health',
      healthInterval: 500,
      retries: 0,
      changeOrigin: true,
      logFormat: 'combined',
      admin: { host: '127.0.0.1', port: 9090 },
      workers: 0,
    });
  });

  it('leaves what was not asked for to the defaults', () => {
    expect(parseProxyArgs([], env)).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      targets: [],
      lb: null,
      healthPath: null,
      retries: null,
      changeOrigin: false,
      logFormat: 'text',
      admin: null,
      workers: null,
    });
  });

  it.each([
    [['--target', 'http://a:1,weight=0'], '--target weight must be a positive integer, got "0"'],
    [['--target', 'http://a:1,weight=-2'], '--target weight must be a positive integer, got "-2"'],
    [
      ['--target', 'http://a:1,weight=1.5'],
      '--target weight must be a positive integer, got "1.5"',
    ],
    [['--target', 'http://a:1,weight='], '--target weight must be a positive integer, got ""'],
    [['--target', 'http://a:1', '--target', 'http://a:1/'], '--target http://a:1/ given twice'],
    [['--target', 'ftp://a/,weight=2'], '--target must be http:// or https://, got "ftp://a/"'],
    [
      ['--lb', 'fastest'],
      '--lb must be one of round-robin, least-outstanding, random-two, first, ip-hash, got "fastest"',
    ],
    [['--health-path', 'health'], '--health-path must start with /, got "health"'],
    [['--health-interval', '100'], '--health-interval needs --health-path'],
    [
      ['--health-path', '/h', '--health-interval', '0'],
      '--health-interval must be at least 1, got 0',
    ],
    [['--retries', '-1'], '--retries must be at least 0, got -1'],
    [['--workers', '-1'], '--workers must be at least 0, got -1'],
    [['--admin', '9090'], '--admin wants HOST:PORT, got "9090"'],
    [['--change-origin=yes'], '--change-origin takes no value'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseProxyArgs(argv, env)).toThrow(new UsageError(message));
  });
});
