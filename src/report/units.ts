// Human formatting for the comment: signed bytes per request, counts, latencies.

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB'] as const;
export type ByteUnit = (typeof BYTE_UNITS)[number];

/** The unit a quantity reads best in; pass the largest magnitude of a group so its members share one unit. */
export function byteUnitFor(magnitudeBytes: number): ByteUnit {
  let unitIndex = 0;
  let value = Math.abs(magnitudeBytes);
  while (value >= 1024 && unitIndex < BYTE_UNITS.length - 1) {
    value /= 1024;
    unitIndex++;
  }
  return BYTE_UNITS[unitIndex] ?? 'B';
}

/** `+11.8 KB`, `-512 B`, `0 B`: signed unless `signed` is false. */
export function formatBytes(bytes: number, options: { unit?: ByteUnit; signed?: boolean } = {}): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  const unit = options.unit ?? byteUnitFor(bytes);
  const value = bytes / 1024 ** BYTE_UNITS.indexOf(unit);
  const digits = unit === 'B' && Math.abs(value) >= 10 ? 0 : 1;
  const magnitude = Math.abs(value).toFixed(digits);
  if (Number(magnitude) === 0) return `${magnitude} ${unit}`;
  const sign = value < 0 ? '-' : options.signed === false ? '' : '+';
  return `${sign}${magnitude} ${unit}`;
}

/** `+0.02`, `-1.5`: a signed count per request with up to three significant decimals. */
export function formatSignedCount(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const rounded = Number(value.toPrecision(3));
  if (rounded === 0) return '0';
  return `${rounded > 0 ? '+' : '-'}${Math.abs(rounded)}`;
}

export function formatInteger(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

export function formatMs(valueMs: number): string {
  if (!Number.isFinite(valueMs)) return 'n/a';
  return valueMs >= 100 ? `${Math.round(valueMs)} ms` : `${Number(valueMs.toPrecision(2))} ms`;
}

export function formatDurationMs(valueMs: number): string {
  if (!Number.isFinite(valueMs)) return 'n/a';
  const totalSeconds = Math.round(valueMs / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  return minutes > 0 ? `${minutes} min ${totalSeconds % 60} s` : `${totalSeconds} s`;
}
