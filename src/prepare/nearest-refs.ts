// A ref that is not there in a full clone is usually a typo or a branch not pushed: the refs whose names are
// closest to it say which, where a shallow-clone hint would send the user the wrong way.
import { git } from '../process/git.js';

/** Up to `count` branch, remote-branch and tag names, closest to `ref` first (edit distance, then name). */
export async function nearestRefs(repoDir: string, ref: string, count = 5): Promise<string[]> {
  const listed = await git(repoDir, [
    'for-each-ref',
    '--format=%(refname:short)',
    'refs/heads',
    'refs/remotes',
    'refs/tags',
  ]);
  if (listed.exitCode !== 0) return [];
  const wanted = ref.replace(/^(refs\/(heads|tags|remotes)\/)?(origin\/)?/, '');
  const names = [...new Set(listed.stdout.split('\n').filter((name) => name && !name.endsWith('/HEAD')))];
  const scored = names.map((name) => ({
    name,
    distance: editDistance(wanted, name.replace(/^origin\//, '')),
  }));
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, count).map((entry) => entry.name);
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
