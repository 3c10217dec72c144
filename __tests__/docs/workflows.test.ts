// Every workflow the docs show, and the repository's own, passes actionlint and uses only inputs that
// action.yml declares; a broken workflow fails, so the check can fail.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { documentedWorkflows, lintWorkflow, workflowBlocks } from './workflows.js';

const root = join(import.meta.dirname, '../..');
const blocks = documentedWorkflows(root);
const inputs = Object.keys(
  (load(readFileSync(join(root, 'action.yml'), 'utf8')) as { inputs: object }).inputs,
);

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

describe('documented workflows', () => {
  it('are found in README.md, docs/ and .github/workflows/', () => {
    const files = new Set(blocks.map((block) => block.source.split(':')[0]));
    expect(files).toEqual(new Set(['README.md', 'docs/action.md', '.github/workflows/test.yml']));
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it.each(blocks.map((block) => [block.source, block] as const))('%s passes actionlint', async (_, block) => {
    expect(await lintWorkflow(block)).toEqual([]);
  });

  it.each(blocks.map((block) => [block.source, block] as const))(
    '%s gives leakwatch only inputs that action.yml declares',
    (_, block) => {
      const jobs = (load(block.workflow) as { jobs: Record<string, { steps?: Step[] }> }).jobs;
      const steps = Object.values(jobs).flatMap((job) => job.steps ?? []);
      for (const step of steps.filter((s) => s.uses === './' || s.uses?.startsWith('OWNER/leakwatch@'))) {
        for (const name of Object.keys(step.with ?? {}))
          expect(inputs, `${block.source}: ${name}`).toContain(name);
      }
    },
  );
});

describe('a broken workflow', () => {
  it('fails actionlint, naming each mistake and its line in the block', async () => {
    const broken = workflowBlocks(join(import.meta.dirname, 'fixtures'), 'broken.md');
    expect(broken).toHaveLength(2);
    const [workflow, snippet] = await Promise.all(broken.map(lintWorkflow));
    expect(workflow).toEqual([
      expect.objectContaining({
        line: 8,
        message: expect.stringContaining('input "fetch-dept" is not defined'),
      }),
      expect.objectContaining({
        line: 9,
        message: expect.stringContaining('property "evnt" is not defined'),
      }),
    ]);
    expect(snippet?.map((problem) => problem.message)).toEqual([
      expect.stringContaining('"if-no-file-found"'),
    ]);
  });
});
