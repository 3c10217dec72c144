// The one formatter for bytes (binary units, labelled KiB/MiB) and intervals. The comment, the job summary, the
// check run, the terminal and the verdict sentences all format through here, so they never disagree.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB'] as const;
export type ByteUnit = (typeof BYTE_UNITS)[number];

/** The unit a quantity reads best in; pass the largest magnitude of a group so its members share one unit. */
export function byteUnitFor(magnitudeBytes: number): ByteUnit {
  let unitIndex = 0;
  let value = Math.abs(magnitudeBytes);
  // 0.95 KiB would round to "1.0 KiB"; switching a little early keeps every label honest.
  while (value >= 1000 && unitIndex < BYTE_UNITS.length - 1) {
    value /= 1024;
    unitIndex++;
  }
  return BYTE_UNITS[unitIndex] ?? 'B';
}

/** The number alone in `unit`: three significant digits at most (two decimals below 1, so 0.04 is not 0.0). */
export function formatAmount(bytes: number, unit: ByteUnit, signed = true): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  const value = bytes / 1024 ** BYTE_UNITS.indexOf(unit);
  const size = Math.abs(value);
  const digits = unit === 'B' || size >= 99.95 ? 0 : size < 0.995 && size >= 0.005 ? 2 : 1;
  const magnitude = size.toFixed(digits);
  // A half-width too small for the unit still is one: "±<0.01" rather than a "±0.0" that reads as certainty.
  if (Number(magnitude) === 0)
    return size === 0 || signed ? (unit === 'B' ? '0' : (0).toFixed(digits)) : `<${unit === 'B' ? 1 : 0.01}`;
  const sign = value < 0 ? '-' : signed ? '+' : '';
  return `${sign}${magnitude}`;
}

/** `+3.6 KiB`, `-512 B`, `0 B`: signed unless `signed` is false. */
export function formatBytes(bytes: number, options: { unit?: ByteUnit; signed?: boolean } = {}): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  const unit = options.unit ?? byteUnitFor(bytes);
  return `${formatAmount(bytes, unit, options.signed !== false)} ${unit}`;
}

/** A value and the half-width of its 95 % interval in one unit: `{ value: '+3.6 KiB', halfWidth: '±0.3' }`. */
export function formatInterval(
  bytes: number,
  halfWidthBytes: number | null,
  options: { unit?: ByteUnit } = {},
): { value: string; halfWidth: string | null; unit: ByteUnit } {
  const unit = options.unit ?? byteUnitFor(Math.max(Math.abs(bytes), Math.abs(halfWidthBytes ?? 0)));
  return {
    value: formatBytes(bytes, { unit }),
    halfWidth: halfWidthBytes === null ? null : `±${formatAmount(halfWidthBytes, unit, false)}`,
    unit,
  };
}

/** `+3.6 KiB ±0.3`: the interval in one cell, one unit. */
export function formatIntervalText(bytes: number, halfWidthBytes: number | null, unit?: ByteUnit): string {
  const { value, halfWidth } = formatInterval(bytes, halfWidthBytes, unit ? { unit } : {});
  return halfWidth === null ? value : `${value} ${halfWidth}`;
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

/** `~20 h`, `~3 days`, `~45 min`: a rough duration, as precise as a reader needs to act. */
export function formatRoughHours(hours: number): string {
  if (!Number.isFinite(hours)) return 'never';
  if (hours < 1) return `~${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `~${Math.round(hours)} h`;
  return `~${Math.round(hours / 24)} days`;
}
