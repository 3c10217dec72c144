// What a per-request growth costs a real service: memory per hour at its traffic and the time until the heap
// cap is reached. A reviewer weighs "+3.6 KiB/request" only once it reads "a 256 MiB heap fills in ~20 h".
import { formatBytes, formatRoughHours } from '../model/units.js';

export interface CostInput {
  /** Growth the verdict rests on, bytes per request. */
  bytesPerRequest: number;
  /** Production traffic (`production-rps`); null: quoted per 1 request/s. */
  productionRps: number | null;
  /** The heap cap the app ran under. */
  heapCapMb: number;
  /** Heap in use when the measurement ended; the headroom is the cap minus this. */
  heapInUseBytes: number | null;
}

export interface Cost {
  requestsPerSecond: number;
  isPerOneRequestPerSecond: boolean;
  bytesPerHour: number;
  /** Hours until the remaining headroom is used up; null when the memory does not grow. */
  hoursToFill: number | null;
  heapCapMb: number;
}

export function costAtTraffic(input: CostInput): Cost {
  const requestsPerSecond = input.productionRps ?? 1;
  const bytesPerHour = input.bytesPerRequest * requestsPerSecond * 3600;
  const heapCapBytes = input.heapCapMb * 1024 * 1024;
  const headroom = Math.max(0, heapCapBytes - Math.max(0, input.heapInUseBytes ?? 0));
  return {
    requestsPerSecond,
    isPerOneRequestPerSecond: input.productionRps === null,
    bytesPerHour,
    hoursToFill: bytesPerHour > 0 ? headroom / bytesPerHour : null,
    heapCapMb: input.heapCapMb,
  };
}

function formatRate(requestsPerSecond: number): string {
  return `${Number(requestsPerSecond.toPrecision(3)).toLocaleString('en-US')} req/s`;
}

/** `12.7 MiB/hour at 1 req/s`. */
export function formatPerHour(cost: Cost): string {
  const rate = formatRate(cost.requestsPerSecond);
  return `${formatBytes(Math.abs(cost.bytesPerHour), { signed: false })}/hour at ${rate}`;
}

/** `≈ 12.7 MiB/hour at 1 req/s; a 256 MiB heap fills in ~20 h`. */
export function renderCostLine(cost: Cost): string {
  const perHour = formatPerHour(cost);
  if (cost.hoursToFill === null) return `≈ ${perHour}`;
  return `≈ ${perHour}; a ${cost.heapCapMb} MiB heap fills in ${formatRoughHours(cost.hoursToFill)}`;
}
