// The action's entry (action.yml → dist/index.js). Known failures are handled in runAction; anything else is a bug.
import * as core from '@actions/core';
import { runAction } from './action.js';

runAction().catch((error: unknown) => {
  core.setFailed(
    `leakwatch: unexpected error (this is a bug, please report it):\n${(error as Error)?.stack ?? String(error)}`,
  );
});
