import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Request } from '../../src/index.js';
import { wireFacts } from '../../src/transport/wire-facts.js';
import { refusingPort } from '../faults/refusing-port.js';
import { rejection, useHarness } from './harness.js';

const h = useHarness();

describe('wireFacts', () => {
  it('says a request whose dial was refused was never written', async () => {
    const port = await refusingPort();
    try {
      const err = await rejection(
        h
          .transport()
          .roundTrip(new Request('POST', `http://127.0.0.1:${port.port}/`, { body: 'x' })),
      );
      expect(err).toMatchObject({ code: 'ERR_DIAL' });
      expect(wireFacts(err)).toEqual({ requestWritten: false, responseStarted: false });
    } finally {
      await port.close();
    }
  });

  it('says a streaming request lost before any response byte was written, with no response', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor('hello');
      peer.reset();
    });
    const body = Readable.from(['hello']);
    const err = await rejection(
      h.transport().roundTrip(new Request('POST', `http://127.0.0.1:${server.port}/`, { body })),
    );
    expect(err).not.toBeNull();
    expect(wireFacts(err)).toEqual({ requestWritten: true, responseStarted: false });
  });

  it('says a response had started when the head was cut off', async () => {
    const server = await h.raw(async (peer) => {
      await peer.waitFor('\r\n\r\n');
      await peer.write('HTTP/1.1 200 OK\r\nContent-Le');
      peer.destroy();
    });
    const err = await rejection(
      h.transport().roundTrip(new Request('GET', `http://127.0.0.1:${server.port}/`)),
    );
    expect(err).not.toBeNull();
    expect(wireFacts(err)).toEqual({ requestWritten: true, responseStarted: true });
  });

  it('knows nothing of errors that did not come from a Transport', () => {
    expect(wireFacts(new Error('x'))).toBeNull();
    expect(wireFacts(null)).toBeNull();
    expect(wireFacts('x')).toBeNull();
  });
});
