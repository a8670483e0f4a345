import {
  bytesField,
  float32,
  floatField,
  intField,
  readFields,
  readVarints,
  stringField,
  text,
  type WireField,
} from './protobuf.js';

/**
 * PP-OCRv4's detector and recogniser (PP-LCNetV3 backbones, exported by paddle2onnx) spell each
 * hard-swish out in elementary operators, with a learnable scale and bias on both sides:
 *
 *   x = s1 * Conv(in) + b1;  y = s2 * (x * Clip(x + 3, 0, 6) / 6) + b2
 *
 * Seven element-wise passes over the activation, which ONNX Runtime's CPU provider runs outside
 * its blocked (NCHWc) convolution layout, with a conversion out of it and back around each: a
 * third of the detector's time and a quarter of the recogniser's. Rewritten here, with the same
 * arithmetic, into operators that stay in that layout:
 *
 *   x' = Conv'(in)                         s1, b1 and s2 folded into the weights and bias
 *   h  = HardSigmoid(DepthwiseConv1x1(x'))  an identity convolution, so that ORT fuses the
 *                                           activation into it (alpha 1 / (6 s2), beta 1/2)
 *   z  = x' * h
 *   y  = z + b2                             folded into the bias of the 1x1 convolutions that
 *                                           read y; else a depthwise 1x1 convolution that adds it
 *
 * The outputs equal the original model's to ~1e-6 (float rounding). A graph without the pattern
 * comes back unchanged; anything unexpected around a match leaves that match as it was.
 */

/** Changes when the rewrite does: part of the optimised-model cache's key (model-cache.ts). */
export const REWRITE_VERSION = 1;

interface GraphNode {
  inputs: string[];
  outputs: string[];
  op: string;
  /** The node's field in the graph message. */
  field: WireField;
  attrs: Map<string, WireField>;
}

/** A node as written into the new graph: its message bytes, and what it reads and writes. */
interface NewNode {
  bytes: Uint8Array;
  op: string;
  inputs: string[];
  outputs: string[];
}

interface Tensor {
  dims: number[];
  data: Float32Array;
}

interface ConvEdit {
  input?: string;
  output?: string;
  /** Added to the bias (per output channel) before the scale. */
  addBias?: Float64Array;
  scale?: { s1: number; b1: number; s2: number };
}

/** The model with its hard-swish activations rewritten, and how many were. */
export function rewriteActivations(model: Uint8Array): { model: Uint8Array; rewritten: number } {
  const graphField = [...readFields(model)].find((f) => f.field === 7 && f.wire === 2);
  if (!graphField) throw new Error('not an ONNX model: it has no graph');
  const graphFields = [...readFields(model, graphField.from, graphField.to)];
  const nodes = graphFields.filter((f) => f.field === 1 && f.wire === 2).map((f) => parseNode(model, f));
  const producer = new Map<string, GraphNode>();
  const consumers = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) {
      const list = consumers.get(i);
      if (list) list.push(n);
      else consumers.set(i, [n]);
    }
  }
  const graphOutputs = new Set(graphFields.filter((f) => f.field === 12).map((f) => nameOf(model, f)));
  const users = (name: string) => consumers.get(name) ?? [];
  const tensors = new Map<string, Tensor | undefined>();
  const constant = (name: string | undefined): Tensor | undefined => {
    if (name === undefined) return undefined;
    if (!tensors.has(name)) tensors.set(name, constantTensor(model, producer.get(name)));
    return tensors.get(name);
  };
  const scalar = (name: string | undefined) => {
    const t = constant(name);
    return t && t.data.length === 1 ? t.data[0]! : undefined;
  };
  const other = (n: GraphNode, name: string) => n.inputs.find((i) => i !== name);
  const only = (name: string, op: string) => {
    const u = users(name);
    return u.length === 1 && u[0]!.op === op ? u[0] : undefined;
  };

  const replaced = new Map<GraphNode, NewNode[]>();
  const edits = new Map<GraphNode, ConvEdit>();
  const edit = (n: GraphNode) => edits.get(n) ?? (edits.set(n, {}), edits.get(n)!);
  let rewritten = 0;
  for (const clip of nodes) {
    if (clip.op !== 'Clip') continue;
    const low = attrFloat(model, clip, 'min') ?? scalar(clip.inputs[1]);
    const high = attrFloat(model, clip, 'max') ?? scalar(clip.inputs[2]);
    const add3 = producer.get(clip.inputs[0]!);
    if (low !== 0 || high !== 6 || add3?.op !== 'Add' || users(add3.outputs[0]!).length !== 1) continue;
    const three = add3.inputs.findIndex((i) => scalar(i) === 3);
    if (three < 0) continue;
    const x = add3.inputs[1 - three]!;
    const mul = only(clip.outputs[0]!, 'Mul');
    const div = mul && mul.inputs.includes(x) ? only(mul.outputs[0]!, 'Div') : undefined;
    const scale2 = div && scalar(div.inputs[1]) === 6 ? only(div.outputs[0]!, 'Mul') : undefined;
    const s2 = scale2 && scalar(other(scale2, div!.outputs[0]!));
    const bias2 = scale2 && only(scale2.outputs[0]!, 'Add');
    const b2 = bias2 && scalar(other(bias2, scale2.outputs[0]!));
    if (!div || !scale2 || !s2 || !bias2 || b2 === undefined) continue;
    // x = s1 * Conv(in) + b1, each step read by the next alone (x by the activation alone).
    const xAdd = producer.get(x);
    const b1Name = xAdd?.op === 'Add' ? xAdd.inputs.find((i) => scalar(i) !== undefined) : undefined;
    const xMul = xAdd && b1Name !== undefined ? producer.get(other(xAdd, b1Name)!) : undefined;
    const s1Name = xMul?.op === 'Mul' ? xMul.inputs.find((i) => scalar(i) !== undefined) : undefined;
    const conv = xMul && s1Name !== undefined ? producer.get(other(xMul, s1Name)!) : undefined;
    const weights = conv?.op === 'Conv' ? constant(conv.inputs[1]) : undefined;
    if (!xAdd || !xMul || !conv || !weights || weights.dims.length !== 4) continue;
    if (users(x).length !== 2 || users(xMul.outputs[0]!).length !== 1 || users(conv.outputs[0]!).length !== 1)
      continue;
    if (conv.inputs[2] !== undefined && !constant(conv.inputs[2])) continue;
    const y = bias2.outputs[0]!;
    if (
      [x, clip.outputs[0]!, mul!.outputs[0]!, div.outputs[0]!, scale2.outputs[0]!, y].some((o) =>
        graphOutputs.has(o),
      )
    )
      continue;
    const channels = weights.dims[0]!;
    const k = rewritten++;
    const p = `${y}__hswish${k}`;
    edit(conv).scale = { s1: scalar(s1Name)!, b1: scalar(b1Name)!, s2 };
    edit(conv).output = x;
    for (const n of [xMul, xAdd, add3, clip, mul!, div, scale2, bias2])
      if (!replaced.has(n)) replaced.set(n, []);
    const out: NewNode[] = [
      constantNode(`${p}_one`, new Float32Array(channels).fill(1), [channels, 1, 1, 1]),
      constantNode(`${p}_zero`, new Float32Array(channels), [channels]),
      depthwise(x, `${p}_one`, `${p}_zero`, `${p}_pre`, channels),
      node('HardSigmoid', [`${p}_pre`], [`${p}_h`], `${p}_h`, [
        floatAttr('alpha', 1 / (6 * s2)),
        floatAttr('beta', 0.5),
      ]),
      node('Mul', [x, `${p}_h`], [`${p}_z`], `${p}_z`),
    ];
    // y's readers: 1x1 convolutions without padding take b2 into their bias, exactly.
    const readers = users(y);
    const pointwise = readers.every((r) => isPointwise(model, r, y, constant));
    if (readers.length > 0 && pointwise) {
      for (const r of readers) {
        const w = constant(r.inputs[1])!;
        const [outs, ins] = [w.dims[0]!, w.dims[1]!];
        const add = new Float64Array(outs);
        for (let o = 0; o < outs; o++) {
          let sum = 0;
          for (let c = 0; c < ins; c++) sum += w.data[o * ins + c]!;
          add[o] = b2 * sum;
        }
        const e = edit(r);
        e.input = `${p}_z`;
        e.addBias = e.addBias ? e.addBias.map((v, o) => v + add[o]!) : add;
      }
    } else {
      out.push(
        constantNode(`${p}_b2`, new Float32Array(channels).fill(b2), [channels]),
        depthwise(`${p}_z`, `${p}_one`, `${p}_b2`, y, channels),
      );
    }
    replaced.set(div, out);
  }
  if (rewritten === 0) return { model, rewritten };

  for (const [conv, e] of edits) {
    const w = constant(conv.inputs[1])!;
    const channels = w.dims[0]!;
    const b = conv.inputs[2] !== undefined ? constant(conv.inputs[2])!.data : new Float32Array(channels);
    const bias = Float64Array.from(b, (v, o) => v + (e.addBias?.[o] ?? 0));
    let weights = w.data;
    if (e.scale) {
      const { s1, b1, s2 } = e.scale;
      weights = w.data.map((v) => v * s1 * s2);
      for (let o = 0; o < channels; o++) bias[o] = (bias[o]! * s1 + b1) * s2;
    }
    const id = `${conv.outputs[0]}__conv`;
    const inputs = [e.input ?? conv.inputs[0]!, `${id}_w`, `${id}_b`];
    replaced.set(conv, [
      constantNode(`${id}_w`, weights, w.dims),
      constantNode(`${id}_b`, Float32Array.from(bias), [channels]),
      renode(model, conv, inputs, [e.output ?? conv.outputs[0]!], id),
    ]);
  }

  // The graph again, node by node; constants nobody reads any more are left out.
  const byField = new Map(nodes.map((n) => [n.field, n]));
  const emitted: NewNode[] = [];
  for (const f of graphFields) {
    const n = byField.get(f);
    if (!n) continue;
    emitted.push(
      ...(replaced.get(n) ?? [
        { bytes: model.subarray(f.from, f.to), op: n.op, inputs: n.inputs, outputs: n.outputs },
      ]),
    );
  }
  const read = new Set<string>(graphOutputs);
  for (const n of emitted) for (const i of n.inputs) read.add(i);
  const nodeParts = emitted
    .filter((n) => n.op !== 'Constant' || n.outputs.some((o) => read.has(o)))
    .map((n) => bytesField(1, n.bytes));
  // The graph's other fields (name, inputs, outputs, ...) as they were.
  const parts = graphFields.filter((f) => f.field !== 1).map((f) => model.subarray(f.start, f.end));
  const graph = Buffer.concat([...nodeParts, ...parts]);
  const top: Uint8Array[] = [];
  for (const f of readFields(model))
    top.push(f.start === graphField.start ? bytesField(7, graph) : model.subarray(f.start, f.end));
  return { model: Buffer.concat(top), rewritten };
}

function parseNode(bytes: Uint8Array, f: WireField): GraphNode {
  const n: GraphNode = { inputs: [], outputs: [], op: '', field: f, attrs: new Map() };
  for (const g of readFields(bytes, f.from, f.to)) {
    if (g.field === 1) n.inputs.push(text(bytes, g));
    else if (g.field === 2) n.outputs.push(text(bytes, g));
    else if (g.field === 4) n.op = text(bytes, g);
    else if (g.field === 5) n.attrs.set(nameOf(bytes, g), g);
  }
  return n;
}

/** Field 1 (the name) of a message such as an attribute or a graph output. */
function nameOf(bytes: Uint8Array, f: WireField): string {
  const name = [...readFields(bytes, f.from, f.to)].find((g) => g.field === 1 && g.wire === 2);
  return name ? text(bytes, name) : '';
}

function attrFloat(bytes: Uint8Array, n: GraphNode, name: string): number | undefined {
  const a = n.attrs.get(name);
  const f = a && [...readFields(bytes, a.from, a.to)].find((g) => g.field === 2 && g.wire === 5);
  return f ? float32(bytes, f) : undefined;
}

function attrInts(bytes: Uint8Array, n: GraphNode, name: string): number[] | undefined {
  const a = n.attrs.get(name);
  if (!a) return undefined;
  const out: number[] = [];
  for (const g of readFields(bytes, a.from, a.to)) {
    if (g.field === 3 && g.wire === 0) out.push(Number(g.value));
    if (g.field === 8 && g.wire === 0) out.push(Number(g.value));
    if (g.field === 8 && g.wire === 2)
      for (const v of readVarints(bytes, g.from!, g.to!)) out.push(Number(v));
  }
  return out;
}

/** A Constant node's float tensor. */
function constantTensor(bytes: Uint8Array, n: GraphNode | undefined): Tensor | undefined {
  const value = n?.op === 'Constant' ? n.attrs.get('value') : undefined;
  const t = value && [...readFields(bytes, value.from, value.to)].find((g) => g.field === 5 && g.wire === 2);
  if (!t) return undefined;
  const dims: number[] = [];
  let type = 0;
  let raw: WireField | undefined;
  const floats: number[] = [];
  for (const g of readFields(bytes, t.from, t.to)) {
    if (g.field === 1 && g.wire === 0) dims.push(Number(g.value));
    else if (g.field === 2) type = Number(g.value);
    else if (g.field === 9) raw = g;
    else if (g.field === 4 && g.wire === 5) floats.push(float32(bytes, g));
    else if (g.field === 4 && g.wire === 2)
      for (let q = g.from!; q < g.to!; q += 4) floats.push(float32(bytes, { ...g, from: q }));
  }
  if (type !== 1) return undefined; // FLOAT only
  // Copied: the raw bytes need not be 4-byte aligned in the model.
  const data = raw
    ? new Float32Array(new Uint8Array(bytes.subarray(raw.from, raw.to)).buffer)
    : Float32Array.from(floats);
  return { dims, data };
}

/** A Conv reading `input` as its data, 1x1, one group, no padding, constant weights and bias. */
function isPointwise(
  bytes: Uint8Array,
  n: GraphNode,
  input: string,
  constant: (name: string | undefined) => Tensor | undefined,
): boolean {
  if (n.op !== 'Conv' || n.inputs[0] !== input || n.inputs.slice(1).includes(input)) return false;
  const w = constant(n.inputs[1]);
  if (!w || w.dims.length !== 4 || w.dims[2] !== 1 || w.dims[3] !== 1) return false;
  if (n.inputs[2] !== undefined && !constant(n.inputs[2])) return false;
  if ((attrInts(bytes, n, 'group')?.[0] ?? 1) !== 1) return false;
  if (n.attrs.has('auto_pad')) return false;
  return (attrInts(bytes, n, 'pads') ?? []).every((v) => v === 0);
}

function node(op: string, inputs: string[], outputs: string[], name: string, attrs: Buffer[] = []): NewNode {
  const bytes = Buffer.concat([
    ...inputs.map((i) => stringField(1, i)),
    ...outputs.map((o) => stringField(2, o)),
    stringField(3, name),
    stringField(4, op),
    ...attrs,
  ]);
  return { bytes, op, inputs, outputs };
}

/** `n` with other inputs, outputs and name; its attributes and domain as they were. */
function renode(bytes: Uint8Array, n: GraphNode, inputs: string[], outputs: string[], name: string): NewNode {
  const kept = [...readFields(bytes, n.field.from, n.field.to)].filter((g) => g.field > 3);
  const message = Buffer.concat([
    ...inputs.map((i) => stringField(1, i)),
    ...outputs.map((o) => stringField(2, o)),
    stringField(3, name),
    ...kept.map((g) => bytes.subarray(g.start, g.end)),
  ]);
  return { bytes: message, op: n.op, inputs, outputs };
}

/** A 1x1 convolution per channel: weight per channel `w`, bias `b`. */
function depthwise(input: string, w: string, b: string, output: string, channels: number): NewNode {
  return node('Conv', [input, w, b], [output], output, [
    intAttr('group', channels),
    intsAttr('kernel_shape', [1, 1]),
    intsAttr('pads', [0, 0, 0, 0]),
    intsAttr('strides', [1, 1]),
  ]);
}

function constantNode(name: string, data: Float32Array, dims: number[]): NewNode {
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const tensor = Buffer.concat([
    ...dims.map((d) => intField(1, d)),
    intField(2, 1),
    stringField(8, name),
    bytesField(9, raw),
  ]);
  const value = Buffer.concat([stringField(1, 'value'), bytesField(5, tensor), intField(20, 4)]);
  return node('Constant', [], [name], name, [bytesField(5, value)]);
}

// AttributeProto: name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, TENSOR 4, INTS 7).
function floatAttr(name: string, value: number): Buffer {
  return bytesField(5, Buffer.concat([stringField(1, name), floatField(2, value), intField(20, 1)]));
}

function intAttr(name: string, value: number): Buffer {
  return bytesField(5, Buffer.concat([stringField(1, name), intField(3, value), intField(20, 2)]));
}

function intsAttr(name: string, values: number[]): Buffer {
  return bytesField(
    5,
    Buffer.concat([stringField(1, name), ...values.map((v) => intField(8, v)), intField(20, 7)]),
  );
}
