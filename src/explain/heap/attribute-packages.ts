/** The npm package a module file belongs to: the part after the last `node_modules/`. */
export function packageOfFile(file: string): string | undefined {
  const path = file.replaceAll('\\', '/');
  const at = path.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const [first, second] = path.slice(at + 'node_modules/'.length).split('/');
  if (first === undefined || first === '') return undefined;
  if (first.startsWith('@')) return second ? `${first}/${second}` : undefined;
  return first;
}

/**
 * Packages named by the files of a leak, closest to the leaking object first, and which of them the PR bumped.
 * Order matters to the reader: the package holding the objects explains more than the one serving the request.
 */
export function attributePackages(
  filesClosestFirst: readonly (string | undefined)[],
  bumpedPackages: readonly string[],
): { packages: string[]; bumpedPackages: string[] } {
  const packages: string[] = [];
  for (const file of filesClosestFirst) {
    const name = file === undefined ? undefined : packageOfFile(file);
    if (name !== undefined && !packages.includes(name)) packages.push(name);
  }
  const bumped = new Set(bumpedPackages);
  return { packages, bumpedPackages: packages.filter((name) => bumped.has(name)) };
}
