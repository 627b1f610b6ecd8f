/**
 * A small builder for ONNX graphs, serialized with the ONNX protobuf schema (onnx-proto). Used to export the
 * project's own model and, in tests, to build tiny Hugging Face-style exports.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

export const OPSET = 13;

type Dim = number | string;
export type ElemType = 'float' | 'int64' | 'float16';
const ELEM: Record<ElemType, number> = { float: DataType.FLOAT, int64: DataType.INT64, float16: DataType.FLOAT16 };

type AttrValue = number | number[] | string;

export class GraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: ElemType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** A float32 constant (weights). */
  floats(name: string, dims: number[], values: Float32Array): string {
    return this.tensor(name, DataType.FLOAT, dims, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  /** A float16 constant given as raw IEEE half bits. */
  halves(name: string, dims: number[], bits: Uint16Array): string {
    return this.tensor(name, DataType.FLOAT16, dims, new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength));
  }

  ints(name: string, dims: number[], values: (number | bigint)[]): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    return this.tensor(name, DataType.INT64, dims, new Uint8Array(data.buffer));
  }

  /** Adds a node; returns its (single) output name. `out` names it, otherwise a fresh name is used. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const output = out ?? `${opType.toLowerCase()}_${this.counter++}`;
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: AttrType.STRING, s: new TextEncoder().encode(v) });
      if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: AttrType.INTS, ints: v });
      return onnx.AttributeProto.create({ name, type: AttrType.INT, i: v });
    });
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [output], name: output, attribute }));
    return output;
  }

  /** Serializes the model (IR 7, opset 13: supported by every onnxruntime in use). */
  toBytes(docString = ''): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    });
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'aisle',
      producerVersion: '1',
      docString,
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private tensor(name: string, dataType: number, dims: number[], rawData: Uint8Array): string {
    this.initializers.push(onnx.TensorProto.create({ name, dataType, dims, rawData }));
    return name;
  }
}

function valueInfo(name: string, type: ElemType, dims: Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: ELEM[type],
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create(typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        }),
      }),
    }),
  });
}
