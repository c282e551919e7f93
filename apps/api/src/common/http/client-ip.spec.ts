import type { IncomingMessage } from 'node:http';
import { clientAddress, TrustProxy } from './client-ip';

const request = (remoteAddress: string | undefined, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

const trustNone: TrustProxy = () => false;
const trustLoopback: TrustProxy = (address) => address === '127.0.0.1' || address === '10.0.0.2';

describe('clientAddress (as Express resolves req.ip)', () => {
  it('is the socket address without X-Forwarded-For, or from a peer that is not a trusted proxy', () => {
    expect(clientAddress(request('192.0.2.1'), trustLoopback)).toBe('192.0.2.1');
    expect(clientAddress(request('192.0.2.1', '198.51.100.7'), trustLoopback)).toBe('192.0.2.1');
    expect(clientAddress(request('127.0.0.1', '198.51.100.7'), trustNone)).toBe('127.0.0.1');
  });

  it('walks back through trusted proxies to the first address that is not one', () => {
    expect(clientAddress(request('127.0.0.1', '198.51.100.7'), trustLoopback)).toBe('198.51.100.7');
    expect(clientAddress(request('127.0.0.1', '198.51.100.7, 10.0.0.2'), trustLoopback)).toBe('198.51.100.7');
    // A client cannot inject an address past an untrusted hop.
    expect(clientAddress(request('127.0.0.1', '203.0.113.9, 198.51.100.7, 10.0.0.2'), trustLoopback)).toBe('198.51.100.7');
    // Every hop trusted: the furthest one.
    expect(clientAddress(request('127.0.0.1', ' 10.0.0.2 ,,'), trustLoopback)).toBe('10.0.0.2');
  });

  it('is null without a socket address (the socket is gone)', () => {
    expect(clientAddress(request(undefined, '198.51.100.7'), trustLoopback)).toBeNull();
  });
});
