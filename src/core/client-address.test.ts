/** clientAddress: the socket peer by default; with N trusted hops, the Nth X-Forwarded-For entry from the right, never one the client wrote. */
import { describe, expect, it } from 'bun:test'
import { clientAddress, normaliseAddress } from './client-address'

describe('clientAddress', () => {
  it('should use the socket peer and ignore X-Forwarded-For with no trusted hop', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', 0)).toBe('203.0.113.7')
    expect(clientAddress('203.0.113.7', null, 0)).toBe('203.0.113.7')
    expect(clientAddress(null, '198.51.100.1', 0)).toBe('unknown')
  })

  it('should take the entry the outermost trusted proxy wrote, never one further left that the client wrote', () => {
    // The client sent "X-Forwarded-For: 1.1.1.1"; one proxy appended the client's real address.
    expect(clientAddress('10.0.0.2', '1.1.1.1, 203.0.113.7', 1)).toBe('203.0.113.7')
    // Two proxies: the CDN appended the client, the balancer appended the CDN.
    expect(clientAddress('10.0.0.2', '1.1.1.1, 203.0.113.7, 192.0.2.10', 2)).toBe('203.0.113.7')
    expect(clientAddress('10.0.0.2', '203.0.113.7', 1)).toBe('203.0.113.7')
  })

  it('should count a forged header once per real client: whatever the client writes, one proxy hop gives the same key', () => {
    const seen = new Set(
      ['1.1.1.1', '2.2.2.2, 3.3.3.3', 'garbage', ''].map((forged) =>
        clientAddress('10.0.0.2', `${forged}${forged ? ', ' : ''}203.0.113.7`, 1),
      ),
    )
    expect([...seen]).toEqual(['203.0.113.7'])
  })

  it('should use the socket peer when fewer entries than hops arrived (not through every proxy)', () => {
    expect(clientAddress('10.0.0.2', '203.0.113.7', 2)).toBe('10.0.0.2')
    expect(clientAddress('10.0.0.2', null, 1)).toBe('10.0.0.2')
  })

  it('should use the socket peer when the trusted entry is not an IP address', () => {
    for (const bad of ['unknown', '_hidden', 'example.com', '1.2.3.256', '1.2.3', '', ' ', 'x'.repeat(80), '1::2::3'])
      expect(clientAddress('10.0.0.2', `9.9.9.9, ${bad}`, 1)).toBe('10.0.0.2')
  })

  it('should give one key per client however its address is written', () => {
    expect(clientAddress('::ffff:203.0.113.7', null, 0)).toBe('203.0.113.7')
    expect(clientAddress('10.0.0.2', '203.0.113.7:51234', 1)).toBe('203.0.113.7')
    expect(clientAddress('10.0.0.2', '[2001:DB8::1]:443', 1)).toBe('2001:db8::1')
    expect(clientAddress('10.0.0.2', ' 2001:db8::1 ', 1)).toBe('2001:db8::1')
  })
})

describe('normaliseAddress', () => {
  it('should accept IPv4 and IPv6 literals and refuse anything else', () => {
    expect(normaliseAddress('127.0.0.1')).toBe('127.0.0.1')
    expect(normaliseAddress('::1')).toBe('::1')
    expect(normaliseAddress('::')).toBe('::')
    expect(normaliseAddress('fe80::1:2:3:4')).toBe('fe80::1:2:3:4')
    expect(normaliseAddress('::ffff:10.1.2.3')).toBe('10.1.2.3')
    expect(normaliseAddress('64:ff9b::192.0.2.33')).toBe('64:ff9b::192.0.2.33')
    for (const bad of ['', 'localhost', '1.2.3.4.5', '300.1.1.1', '1:2', ':::', '[::1', '[::1]x', 'a b', '1.2.3.4:port'])
      expect(normaliseAddress(bad)).toBeNull()
  })
})
