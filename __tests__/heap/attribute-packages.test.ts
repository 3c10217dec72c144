import { describe, expect, it } from 'vitest';
import { attributePackages, packageOfFile } from '../../src/explain/heap/attribute-packages.js';
import { displayFile } from '../../src/explain/heap/retainer-path.js';

describe('packageOfFile', () => {
  it('takes the package after the last node_modules, scoped or not', () => {
    expect(packageOfFile('/app/node_modules/contentful-sdk-core/dist/rate-limit.js')).toBe(
      'contentful-sdk-core',
    );
    expect(packageOfFile('file:///app/node_modules/@scope/lib/index.mjs')).toBe('@scope/lib');
    expect(packageOfFile('/app/node_modules/a/node_modules/axios/lib/axios.js')).toBe('axios');
    expect(packageOfFile('C:\\app\\node_modules\\left-pad\\index.js')).toBe('left-pad');
    expect(
      packageOfFile(
        '/repo/node_modules/.pnpm/@scope+pkg@1.2.3_react@18.2.0/node_modules/@scope/pkg/dist/index.js',
      ),
    ).toBe('@scope/pkg');
    expect(packageOfFile('/app/server.js')).toBeUndefined();
    expect(packageOfFile('node:events')).toBeUndefined();
  });
});

describe('attributePackages', () => {
  it('lists packages closest first and flags the bumped ones', () => {
    const files = [
      '/app/node_modules/axios/lib/core/Axios.js',
      undefined,
      '/app/node_modules/contentful-sdk-core/dist/rate-limit.js',
      '/app/node_modules/axios/index.js',
    ];
    expect(attributePackages(files, ['contentful-sdk-core'])).toEqual({
      packages: ['axios', 'contentful-sdk-core'],
      bumpedPackages: ['contentful-sdk-core'],
    });
  });
});

describe('displayFile', () => {
  it('shortens to node_modules/… or to a path inside the app', () => {
    expect(displayFile('file:///srv/app/node_modules/x/dist/a%20b.js')).toBe('node_modules/x/dist/a b.js');
    expect(displayFile('/srv/app/lib/cache.js', '/srv/app/')).toBe('lib/cache.js');
    expect(displayFile('node:internal/http')).toBe('node:internal/http');
  });
});
