import { describe, expect, it } from 'vitest';
import { Header, Request, Response } from '../../src/index.js';
import {
  isPrintableASCII,
  protocolSwitchError,
  upgradeType,
} from '../../src/message/protocol-switch.js';
import { equalFoldASCII } from '../../src/parser/ascii-case.js';

const WEBSOCKET = { Connection: 'Upgrade', Upgrade: 'websocket' };

/** switched is a 101 with `header`. */
function switched(header: Record<string, string | string[]>): Response {
  return new Response(101, { header });
}

describe('upgradeType', () => {
  it('returns the Upgrade value, case kept, only when Connection lists upgrade (TestReverseProxyWebSocket)', () => {
    expect(upgradeType(Header.from(WEBSOCKET))).toBe('websocket');
    expect(upgradeType(Header.from({ Connection: 'upgrade', Upgrade: 'WebSocket' }))).toBe(
      'WebSocket',
    );
    expect(
      upgradeType(Header.from({ Connection: ['keep-alive', 'x, UPGRADE'], Upgrade: 'u' })),
    ).toBe('u');
    expect(upgradeType(Header.from({ Connection: 'keep-alive', Upgrade: 'websocket' }))).toBe('');
    expect(upgradeType(Header.from({ Connection: 'upgraded', Upgrade: 'websocket' }))).toBe('');
    expect(upgradeType(Header.from({ Connection: 'upgrade\u00a0', Upgrade: 'websocket' }))).toBe(
      '',
    );
    expect(upgradeType(Header.from({ Upgrade: 'websocket' }))).toBe('');
    expect(upgradeType(Header.from({ Connection: 'Upgrade' }))).toBe('');
  });

  it('returns the first Upgrade line when there are several', () => {
    const h = Header.from({ Connection: 'Upgrade', Upgrade: ['websocket', 'h2c'] });
    expect(upgradeType(h)).toBe('websocket');
  });
});

describe('protocolSwitchError', () => {
  const asked = new Request('GET', 'http://a.test/ws', { header: WEBSOCKET });

  it('accepts the requested protocol in another case (TestReverseProxyWebSocket)', () => {
    const res = switched({ Connection: 'keep-alive, upgrade', Upgrade: 'WebSocket' });
    expect(protocolSwitchError(asked, res)).toBeNull();
  });

  it('refuses a 101 to a request that asked for no upgrade, whatever the 101 says', () => {
    for (const header of [{}, WEBSOCKET, { Connection: 'Upgrade', Upgrade: 'h2c' }]) {
      const plain = new Request('GET', 'http://a.test/');
      expect(protocolSwitchError(plain, switched(header))).toMatchObject({
        code: 'ERR_UNEXPECTED_SWITCH',
      });
    }
    const head = new Request('HEAD', 'http://a.test/');
    expect(protocolSwitchError(head, switched(WEBSOCKET))?.message).toBe(
      'backend switched protocols (to "websocket") when no upgrade was requested',
    );
  });

  it('refuses a 101 to CONNECT, even one naming the Upgrade it carried', () => {
    const connect = new Request('CONNECT', 'http://a.test:443', { header: WEBSOCKET });
    expect(protocolSwitchError(connect, switched(WEBSOCKET))?.code).toBe('ERR_UNEXPECTED_SWITCH');
  });

  it('refuses a 101 without Connection: upgrade, or with an empty or missing Upgrade', () => {
    const headers: Record<string, string>[] = [
      {},
      { Upgrade: 'websocket' },
      { Connection: 'keep-alive', Upgrade: 'websocket' },
      { Connection: 'upgrade' },
      { Connection: 'upgrade', Upgrade: '' },
    ];
    for (const header of headers) {
      expect(protocolSwitchError(asked, switched(header))?.message).toBe(
        'backend answered 101 without Connection: upgrade and an Upgrade protocol',
      );
    }
  });

  it('refuses another protocol than the one requested (handleUpgradeResponse)', () => {
    const res = switched({ Connection: 'upgrade', Upgrade: 'h2c' });
    expect(protocolSwitchError(asked, res)?.message).toBe(
      'backend tried to switch protocol "h2c" when "websocket" was requested',
    );
  });

  it('refuses a protocol name that is not printable ASCII (handleUpgradeResponse ascii.IsPrint)', () => {
    const odd = new Request('GET', 'http://a.test/', {
      header: { Connection: 'upgrade', Upgrade: 'ws\u00ff' },
    });
    const res = switched({ Connection: 'upgrade', Upgrade: 'ws\u00ff' });
    expect(protocolSwitchError(odd, res)?.message).toMatch(/invalid protocol/);
  });
});

describe('ASCII helpers', () => {
  it('isPrintableASCII accepts SP..~ only and equalFoldASCII folds ASCII letters only', () => {
    expect(isPrintableASCII(' ~azAZ09')).toBe(true);
    expect(isPrintableASCII('a\tb')).toBe(false);
    expect(isPrintableASCII('\u007f')).toBe(false);
    expect(equalFoldASCII('WebSocket', 'websocket')).toBe(true);
    expect(equalFoldASCII('\u017f', 's')).toBe(false);
    expect(equalFoldASCII('ab', 'abc')).toBe(false);
  });
});
