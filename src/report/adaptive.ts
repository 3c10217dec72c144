// Plain lines for what leakwatch adapted by itself (time-held memory, the rate it chose), for deaths (how far
// each side got, how fast it grew) and for verdicts that need a next step; the comment and the terminal share them.
import type { CompareReport, RunSchedule } from '../model/report.js';
import { describeComparison, inconclusiveHint } from './verdict-text.js';

/** "time-held memory detected: ~62 s; measured at 4.8 requests/s", or null when none was seen. */
export function describeTimeHeld(schedule: RunSchedule): string | null {
  const held = schedule.timeHeld;
  if (!held) return null;
  const rate = held.ratePerSecond >= 10 ? held.ratePerSecond.toFixed(0) : held.ratePerSecond.toFixed(1);
  const source = held.rateSource === 'user' ? ' (your `rate`)' : '';
  return `time-held memory detected: ~${Math.round(held.holdMs / 1000)} s; measured at ${rate} requests/s${source}`;
}

/** The lines a report adds under its verdict: what was adapted, and the hint of an inconclusive result. */
export function adaptiveNotes(report: CompareReport): string[] {
  const notes: string[] = [];
  const held = report.schedule ? describeTimeHeld(report.schedule) : null;
  if (held) notes.push(held);
  // A death decides on how far each side got and how fast it grew: both sides' numbers, not only the verdict.
  if (report.comparison.deaths) notes.push(describeComparison(report));
  const hint =
    report.comparison.verdict === 'inconclusive' ? inconclusiveHint(report.comparison.finding) : null;
  if (hint) notes.push(`hint: ${hint}`);
  return notes;
}
