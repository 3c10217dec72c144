#!/usr/bin/env node
import { leakwatchVersion } from '../process/package-files.js';
import { LeakwatchError } from '../settings/errors.js';
// The CLI entry: parse, run, print, exit. Known errors print their message and hint; anything else is a bug.
import { parseCliArgs, usage } from './args.js';
import { runCliCommand } from './run.js';

async function main(): Promise<number> {
  const io = {
    cwd: process.cwd(),
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
    // https://no-color.org: any non-empty NO_COLOR turns colour off.
    isColor: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
  try {
    const command = parseCliArgs(process.argv.slice(2));
    if (command.command === 'help' || command.command === 'version') {
      io.stdout(`${command.command === 'help' ? usage : leakwatchVersion()}\n`);
      return 0;
    }
    return await runCliCommand(command, io);
  } catch (error) {
    if (error instanceof LeakwatchError) {
      io.stderr(`leakwatch: error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
    } else {
      io.stderr(
        `leakwatch: unexpected error (this is a bug, please report it):\n${(error as Error)?.stack ?? String(error)}\n`,
      );
    }
    return 2;
  }
}

process.exitCode = await main();
