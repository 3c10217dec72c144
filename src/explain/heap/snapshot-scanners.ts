// Byte-level readers for the arrays of a .heapsnapshot file, fed one chunk at a time. They are classes
// with fixed fields and tight loops because they touch every byte of files of hundreds of MB.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Reads a flat array of non-negative integers into a Uint32Array, or only counts it when `target` is null. */
export class NumberArrayReader {
  target: Uint32Array | null;
  filled = 0;
  /** Highest odd value seen at `idField` of each record (V8 heap object ids), when `idField >= 0`. */
  maxOddId = 0;
  private value = 0;
  private isInNumber = false;
  private fieldCursor = 0;

  constructor(
    target: Uint32Array | null,
    private readonly isGrowable: boolean,
    private readonly fieldCount = 1,
    private readonly idField = -1,
  ) {
    this.target = target;
  }

  /** Returns the index just past the closing `]`, or -1 when the chunk ended first. */
  read(chunk: Buffer, from: number): number {
    let value = this.value;
    let isInNumber = this.isInNumber;
    let filled = this.filled;
    let fieldCursor = this.fieldCursor;
    let maxOddId = this.maxOddId;
    let target = this.target;
    const { fieldCount, idField } = this;
    const length = chunk.length;
    let end = -1;
    for (let i = from; i < length; i++) {
      const byte = chunk[i] as number;
      if (byte >= DIGIT_0 && byte <= DIGIT_9) {
        value = isInNumber ? value * 10 + (byte - DIGIT_0) : byte - DIGIT_0;
        isInNumber = true;
        continue;
      }
      if (isInNumber) {
        if (fieldCursor === idField && value & 1 && value > maxOddId) maxOddId = value;
        if (++fieldCursor === fieldCount) fieldCursor = 0;
        if (target !== null) {
          if (filled === target.length) {
            if (!this.isGrowable) throw new RangeError('more values than the header announced');
            const grown = new Uint32Array(target.length * 2);
            grown.set(target);
            target = grown;
          }
          target[filled] = value;
        }
        filled++;
        isInNumber = false;
      }
      if (byte === CLOSE_BRACKET) {
        end = i + 1;
        break;
      }
    }
    this.value = value;
    this.isInNumber = isInNumber;
    this.filled = filled;
    this.fieldCursor = fieldCursor;
    this.maxOddId = maxOddId;
    this.target = target;
    return end;
  }
}

/** Skips a flat array of numbers: no brackets or quotes can occur inside, so the first `]` ends it. */
export class FlatArraySkipper {
  read(chunk: Buffer, from: number): number {
    const end = chunk.indexOf(CLOSE_BRACKET, from);
    return end === -1 ? -1 : end + 1;
  }
}

/** Skips an array that may nest arrays and hold strings (trace_tree, or strings nobody asked for). */
export class NestedArraySkipper {
  private depth = 1;
  private isInString = false;
  private isEscaped = false;

  read(chunk: Buffer, from: number): number {
    for (let i = from; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (this.isInString) {
        if (this.isEscaped) this.isEscaped = false;
        else if (byte === BACKSLASH) this.isEscaped = true;
        else if (byte === QUOTE) this.isInString = false;
      } else if (byte === QUOTE) this.isInString = true;
      else if (byte === OPEN_BRACKET) this.depth++;
      else if (byte === CLOSE_BRACKET && --this.depth === 0) return i + 1;
    }
    return -1;
  }
}

/** Reads the JSON string array, keeping at most `maxChars` characters of each string. */
export class StringArrayReader {
  readonly strings: string[] = [];
  private isInString = false;
  private isEscaped = false;
  private hasEscape = false;
  private parts: Buffer[] = [];
  private keptBytes = 0;
  private readonly maxBytes: number;

  constructor(private readonly maxChars: number) {
    this.maxBytes = maxChars * 4;
  }

  read(chunk: Buffer, from: number): number {
    let i = from;
    const length = chunk.length;
    while (i < length) {
      if (!this.isInString) {
        while (i < length && chunk[i] !== QUOTE && chunk[i] !== CLOSE_BRACKET) i++;
        if (i === length) return -1;
        if (chunk[i] === CLOSE_BRACKET) return i + 1;
        this.isInString = true;
        this.hasEscape = false;
        this.isEscaped = false;
        this.parts = [];
        this.keptBytes = 0;
        i++;
      }
      const start = i;
      let isEscaped = this.isEscaped;
      let hasEscape = this.hasEscape;
      for (; i < length; i++) {
        const byte = chunk[i] as number;
        if (isEscaped) isEscaped = false;
        else if (byte === BACKSLASH) {
          isEscaped = true;
          hasEscape = true;
        } else if (byte === QUOTE) break;
      }
      this.isEscaped = isEscaped;
      this.hasEscape = hasEscape;
      const take = Math.min(i, start + Math.max(0, this.maxBytes - this.keptBytes));
      const isComplete = i < length;
      if (isComplete && this.parts.length === 0) {
        this.strings.push(decodeJsonString(chunk.subarray(start, take), hasEscape, this.maxChars));
      } else {
        if (take > start) this.parts.push(Buffer.from(chunk.subarray(start, take)));
        this.keptBytes += take - start;
        if (isComplete)
          this.strings.push(decodeJsonString(Buffer.concat(this.parts), hasEscape, this.maxChars));
      }
      if (isComplete) {
        this.isInString = false;
        i++;
      }
    }
    return -1;
  }
}

function decodeJsonString(bytes: Buffer, hasEscape: boolean, maxChars: number): string {
  let text = bytes.toString('utf8');
  if (hasEscape) {
    try {
      text = JSON.parse(`"${text}"`) as string;
    } catch {
      // A cut made mid-escape: drop the broken tail rather than the whole name.
      try {
        text = JSON.parse(`"${text.slice(0, text.lastIndexOf('\\'))}"`) as string;
      } catch {
        // keep the raw text
      }
    }
  }
  // Flattening matters: a slice of a long string would keep the whole source text alive.
  return text.length > maxChars ? Buffer.from(text.slice(0, maxChars)).toString() : text;
}
