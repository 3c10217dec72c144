import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** What one request's expansion draws from: the sequence's RNG and the request's 1-based number. */
export interface ExpansionContext {
  rng: RandomGenerator;
  seq: number;
}

export interface CompiledTemplate {
  expand(context: ExpansionContext): string;
}

/** A malformed template; `offset` is the index in the template text where the bad `{{...}}` starts. */
export class TemplateError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'TemplateError';
    this.offset = offset;
  }
}

const templateFunctions = ['seq', 'random:N', 'pick:a,b,...', 'repeat:text:N', 'uuid'] as const;

const maxRandomLength = 4096;
const maxRepeatCount = 100_000;
const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// Lookup tables: Number#toString(16) and per-character concatenation cost microseconds per request at load.
const alphanumericPairs = [...alphabet].flatMap((first) => [...alphabet].map((second) => first + second));
const lastPair = alphanumericPairs.length - 1;
const hexBytes = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

type Part = string | ((context: ExpansionContext) => string);

export function compileTemplate(source: string): CompiledTemplate {
  const parts: Part[] = [];
  const pattern = /\{\{(.*?)\}\}/g;
  let literalStart = 0;
  for (let match = pattern.exec(source); match !== null; match = pattern.exec(source)) {
    pushLiteral(parts, source.slice(literalStart, match.index), literalStart);
    parts.push(compileFunction((match[1] ?? '').trim(), match.index));
    literalStart = match.index + match[0].length;
  }
  pushLiteral(parts, source.slice(literalStart), literalStart);

  const merged = mergeLiterals(parts);
  if (merged.every((part) => typeof part === 'string')) {
    const value = merged.join('');
    return { expand: () => value };
  }
  if (merged.length === 1) {
    const only = merged[0] as (context: ExpansionContext) => string;
    return { expand: only };
  }
  return {
    expand(context) {
      let result = '';
      for (const part of merged) result += typeof part === 'string' ? part : part(context);
      return result;
    },
  };
}

function pushLiteral(parts: Part[], literal: string, offset: number): void {
  const unclosed = literal.indexOf('{{');
  if (unclosed !== -1) {
    throw new TemplateError('"{{" is never closed with "}}"', offset + unclosed);
  }
  if (literal !== '') parts.push(literal);
}

function mergeLiterals(parts: Part[]): Part[] {
  const merged: Part[] = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  return merged;
}

function compileFunction(expression: string, offset: number): Part {
  const colon = expression.indexOf(':');
  const name = colon === -1 ? expression : expression.slice(0, colon);
  const argument = colon === -1 ? undefined : expression.slice(colon + 1);
  const fail = (problem: string): never => {
    throw new TemplateError(`{{${expression}}}: ${problem}`, offset);
  };
  const noArgument = () => {
    if (argument !== undefined) fail(`${name} takes no argument`);
  };

  switch (name) {
    case 'seq':
      noArgument();
      return (context) => String(context.seq);
    case 'uuid':
      noArgument();
      return (context) => uuid(context.rng);
    case 'random': {
      const length = parseCount(argument, maxRandomLength, fail);
      return (context) => randomAlphanumerics(context.rng, length);
    }
    case 'pick': {
      const options = argument?.split(',') ?? [];
      if (argument === undefined || options.some((option) => option === '')) {
        fail('pick needs a comma-separated list of non-empty values, e.g. {{pick:a,b,c}}');
      }
      if (options.length === 1) return options[0] as string;
      const last = options.length - 1;
      return (context) => options[uniformInt(context.rng, 0, last)] as string;
    }
    case 'repeat': {
      // The count follows the last colon, so the repeated text may itself contain colons.
      const countAt = argument?.lastIndexOf(':') ?? -1;
      const text = argument?.slice(0, countAt) ?? '';
      if (argument === undefined || countAt < 1)
        fail('repeat needs text and a count, e.g. {{repeat:ab:500}}');
      return text.repeat(parseCount(argument?.slice(countAt + 1), maxRepeatCount, fail));
    }
    default:
      return fail(`unknown function "${name}"; allowed: ${templateFunctions.join(', ')}`);
  }
}

function parseCount(text: string | undefined, max: number, fail: (problem: string) => never): number {
  if (text === undefined || !/^\d+$/.test(text.trim()))
    return fail(`N must be a whole number from 1 to ${max}`);
  const count = Number(text.trim());
  if (count < 1 || count > max) return fail(`N must be a whole number from 1 to ${max} (got ${count})`);
  return count;
}

function randomAlphanumerics(rng: RandomGenerator, length: number): string {
  let result = '';
  for (let i = 1; i < length; i += 2) result += alphanumericPairs[uniformInt(rng, 0, lastPair)];
  if (length % 2 === 1) result += alphabet[uniformInt(rng, 0, alphabet.length - 1)];
  return result;
}

function uuid(rng: RandomGenerator): string {
  const a = hex32(rng.next());
  // Version 4 and the RFC 4122 variant, so the value passes uuid validators in the app.
  const b = hex32((rng.next() & 0xffff0fff) | 0x4000);
  const c = hex32((rng.next() & 0x3fffffff) | 0x80000000);
  const d = hex32(rng.next());
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

function hex32(value: number): string {
  return (
    (hexBytes[(value >>> 24) & 0xff] as string) +
    hexBytes[(value >>> 16) & 0xff] +
    hexBytes[(value >>> 8) & 0xff] +
    hexBytes[value & 0xff]
  );
}
