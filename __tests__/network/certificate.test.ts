// The per-run certificate must load in OpenSSL every time (one bad DER byte in a few hundred made a stub exit
// before listening), be valid for exactly the declared hosts, and be trusted when given as the CA.
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createTlsIdentity } from '../../src/app/upstream/certificate.js';

describe('createTlsIdentity', () => {
  it('makes certificates OpenSSL accepts, 1000 times in a row', () => {
    for (let index = 0; index < 1000; index++) {
      const identity = createTlsIdentity(['api.example.test']);
      expect(() => createSecureContext({ cert: identity.cert, key: identity.key })).not.toThrow();
    }
  });

  it('is valid for the declared names and addresses only, and signs itself', () => {
    const identity = createTlsIdentity(['pokeapi.co', 'cms.internal', '10.1.2.3', '::1']);
    const certificate = new X509Certificate(identity.cert);
    expect(certificate.checkHost('pokeapi.co')).toBe('pokeapi.co');
    expect(certificate.checkHost('cms.internal')).toBe('cms.internal');
    expect(certificate.checkHost('api.stripe.com')).toBeUndefined();
    expect(certificate.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(certificate.checkIP('::1')).toBe('::1');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(Date.now() + 24 * 3600 * 1000);
  });
});
