// The shape of a settings-table entry (settings/table.ts) and the rules its values follow.

/** What a value must be; the same rule for a CLI flag, an action input, a scenario field and the report schema. */
export type Rule =
  | { readonly kind: 'text'; readonly startsWith?: string }
  | {
      readonly kind: 'number';
      readonly isWhole: boolean;
      readonly min: number;
      /** The value must be above `min`, not equal to it. */
      readonly isMinExclusive?: boolean;
      readonly max?: number;
    }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'oneOf'; readonly values: readonly string[] };

export interface SettingSpec {
  readonly rule: Rule;
  /** null: none; a function: derived from the rest of the run plan. */
  readonly default: string | number | boolean | null | ((plan: { heapCapMb: number }) => number);
  /** One line, shown by --help, action.yml and the README. */
  readonly description: string;
  /** `--flag`. A boolean flag takes no value and turns the default around (`--force`, `--no-bisect`). */
  readonly cli?: string;
  /** What the flag does, when it says the opposite of `description` (a boolean flag). */
  readonly cliDescription?: string;
  /** The only command the flag is for (help groups it there): `compare --base/--head` or `record`. */
  readonly cliCommand?: 'compare-refs' | 'record';
  readonly input?: string;
  /** The scenario file's field, which a flag or input overrides and which overrides the default. */
  readonly scenario?: string;
  /** Part of the run plan: both sides share it and the report records it. */
  readonly isPlan?: boolean;
  /** The default as docs show it, when it is not a plain value. */
  readonly defaultText?: string;
  /** action.yml's default, when it is not the plain default (an expression). */
  readonly actionDefault?: string;
  /** --help's name for the value. */
  readonly placeholder?: string;
}

export const text = { kind: 'text' } as const;
export const wholeAbove0 = { kind: 'number', isWhole: true, min: 0, isMinExclusive: true } as const;
export const wholeFrom0 = { kind: 'number', isWhole: true, min: 0 } as const;
export const above0 = { kind: 'number', isWhole: false, min: 0, isMinExclusive: true } as const;
export const flag = { kind: 'boolean' } as const;

export type RuleValue<R> = R extends { kind: 'number' }
  ? number
  : R extends { kind: 'boolean' }
    ? boolean
    : R extends { kind: 'oneOf'; values: readonly (infer V)[] }
      ? V
      : string;
