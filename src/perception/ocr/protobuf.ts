/**
 * Just enough of the protobuf wire format to edit an ONNX model's graph (graph.ts): read the
 * fields of a message as byte ranges, and write new fields. Fields that are not edited are
 * copied as they are, so nothing of the model is lost in a round trip.
 */

export interface WireField {
  /** Field number. */
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: number;
  /** The varint's value (wire 0). */
  value?: bigint;
  /** Where the field starts (its key) and ends in the buffer. */
  start: number;
  end: number;
  /** The payload of a length-delimited field. */
  from?: number;
  to?: number;
}

/** The varint at `p` (before `end`) and where the next value starts. */
function varintAt(bytes: Uint8Array, p: number, end: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    if (p >= end) throw new Error(`a varint runs past the end of the message at byte ${p}`);
    const b = bytes[p++]!;
    value |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return { value, next: p };
    shift += 7n;
  }
}

/** The values of a packed repeated varint field (its payload `bytes[start, end)`). */
export function* readVarints(bytes: Uint8Array, start: number, end: number): Generator<bigint> {
  for (let p = start; p < end;) {
    const { value, next } = varintAt(bytes, p, end);
    p = next;
    yield value;
  }
}

/** The fields of the message in `bytes[start, end)`, in order. */
export function* readFields(bytes: Uint8Array, start = 0, end = bytes.length): Generator<WireField> {
  let p = start;
  const varint = (): bigint => {
    const { value, next } = varintAt(bytes, p, end);
    p = next;
    return value;
  };
  while (p < end) {
    const at = p;
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) {
      const value = varint();
      yield { field, wire, value, start: at, end: p };
    } else if (wire === 2) {
      const length = Number(varint());
      const from = p;
      p += length;
      if (p > end) throw new Error(`field ${field} at byte ${at} runs past the end of its message`);
      yield { field, wire, start: at, end: p, from, to: p };
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      p += size;
      if (p > end) throw new Error(`field ${field} at byte ${at} runs past the end of its message`);
      yield { field, wire, start: at, end: p, from: p - size, to: p };
    } else {
      throw new Error(`unsupported wire type ${wire} at byte ${at}`);
    }
  }
}

export function text(bytes: Uint8Array, f: WireField): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + f.from!, f.to! - f.from!).toString('utf8');
}

export function float32(bytes: Uint8Array, f: WireField): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readFloatLE(f.from);
}

function varintBytes(n: number | bigint): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}

export function bytesField(field: number, payload: Uint8Array): Buffer {
  return Buffer.concat([varintBytes((field << 3) | 2), varintBytes(payload.length), payload]);
}

export function stringField(field: number, value: string): Buffer {
  return bytesField(field, Buffer.from(value, 'utf8'));
}

export function intField(field: number, value: number): Buffer {
  return Buffer.concat([varintBytes(field << 3), varintBytes(value)]);
}

export function floatField(field: number, value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return Buffer.concat([varintBytes((field << 3) | 5), b]);
}
