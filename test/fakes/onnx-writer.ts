/**
 * A small hand-written ONNX (protobuf) writer for graphs the tests build themselves: no
 * download, nothing binary committed. Covers what tiny test models need: float/int64 tensors,
 * int/ints/float/tensor attributes, symbolic dims, one default-domain opset.
 *
 * Field numbers from onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto, TensorShapeProto).
 */

export const DT = { float: 1, int32: 6, int64: 7, bool: 9 } as const;
export type ElemType = keyof typeof DT;

export interface TensorInit {
  name: string;
  type: 'float' | 'int64';
  dims: number[];
  values: ArrayLike<number>;
}

export type AttrValue = number | number[] | { tensor: Omit<TensorInit, 'name'> } | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

export interface ValueSpec {
  name: string;
  type: ElemType;
  /** A number is a fixed size, a string a symbolic one ("batch_size"). */
  dims: Array<number | string>;
}

export interface GraphSpec {
  name: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: TensorInit[];
  opset?: number;
}

// ---- protobuf wire format -----------------------------------------------------------------

class Writer {
  private readonly parts: Uint8Array[] = [];

  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v));
    const bytes: number[] = [];
    while (n >= 0x80n) {
      bytes.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    bytes.push(Number(n));
    this.parts.push(Uint8Array.from(bytes));
    return this;
  }

  private key(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    return this.key(field, 0).varint(v);
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2).varint(b.length);
    this.parts.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.parts.push(b);
    return this;
  }

  packedInts(field: number, values: ArrayLike<number>): this {
    const inner = new Writer();
    for (let i = 0; i < values.length; i++) inner.varint(values[i]!);
    return this.message(field, inner);
  }

  finish(): Uint8Array {
    const total = this.parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

// ---- ONNX messages ------------------------------------------------------------------------

function tensorProto(t: Omit<TensorInit, 'name'> & { name?: string }): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  w.int(2, DT[t.type]);
  if (t.name !== undefined) w.string(8, t.name);
  const n = t.values.length;
  const raw = new Uint8Array(n * (t.type === 'float' ? 4 : 8));
  const view = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) {
    if (t.type === 'float') view.setFloat32(i * 4, t.values[i]!, true);
    else view.setBigInt64(i * 8, BigInt(t.values[i]!), true);
  }
  return w.bytes(9, raw);
}

function attribute(name: string, v: AttrValue): Writer {
  const w = new Writer().string(1, name);
  if (typeof v === 'number') return w.int(3, v).int(20, 2); // INT
  if (Array.isArray(v)) return w.packedInts(8, v).int(20, 7); // INTS
  if ('float' in v) return w.float(2, v.float).int(20, 1); // FLOAT
  return w.message(5, tensorProto(v.tensor)).int(20, 4); // TENSOR
}

function node(n: NodeSpec, index: number): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, `${n.op}_${index}`);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, v));
  return w;
}

function valueInfo(v: ValueSpec): Writer {
  const shape = new Writer();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, DT[v.type]).message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

/** The bytes of a .onnx file holding this graph. */
export function writeOnnx(g: GraphSpec): Uint8Array {
  const graph = new Writer();
  g.nodes.forEach((n, i) => graph.message(1, node(n, i)));
  graph.string(2, g.name);
  for (const t of g.initializers ?? []) graph.message(5, tensorProto(t));
  for (const v of g.inputs) graph.message(11, valueInfo(v));
  for (const v of g.outputs) graph.message(12, valueInfo(v));
  const opset = new Writer().string(1, '').int(2, g.opset ?? 17);
  return new Writer().int(1, 8).string(2, 'deskpilot-test').message(7, graph).message(8, opset).finish();
}

/** Builds node lists with fresh intermediate names, so a graph reads like a formula. */
export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorInit[] = [];
  private n = 0;

  /** One node with one output; returns the output's name. */
  op(op: string, inputs: string[], attrs?: Record<string, AttrValue>, output?: string): string {
    const out = output ?? `t${this.n++}`;
    this.nodes.push({ op, inputs, outputs: [out], ...(attrs ? { attrs } : {}) });
    return out;
  }

  const(values: ArrayLike<number>, dims: number[], type: 'float' | 'int64' = 'float'): string {
    const name = `c${this.n++}`;
    this.initializers.push({ name, type, dims, values });
    return name;
  }

  scalar(v: number, type: 'float' | 'int64' = 'float'): string {
    return this.const([v], [], type);
  }
}
