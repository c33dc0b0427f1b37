/**
 * TF.js layers models (`model.json` + its weight shards, as `tf.LayersModel.save` writes them, or
 * the tensorflowjs converter from Keras): Sequential and functional topologies, layer by layer onto
 * the catalog (`./tfjsLayers.ts`), weights from the manifest. The file is data only: the topology is
 * read, never deserialised into live classes; shard names must be plain file names beside model.json;
 * every size is checked before anything is allocated.
 */
import { checkGraph } from '../../shared/graph/check';
import { layerSpec } from '../../shared/layers/index';
import { canonicalWeightName } from '../../shared/graph/weights';
import type { ParamValue } from '../../shared/ir/schema';
import { type KerasConfig, mapKerasLayer } from './tfjsLayers';
import {
  type HostWeight,
  IMPORT_LIMITS,
  idFrom,
  ImportError,
  type ImportedEdge,
  type ImportedModel,
  type ImportedNode,
  UnsupportedList,
} from './types';

/** Reads a weight shard named in the manifest (a plain file name beside model.json). */
export type ShardReader = (name: string, maxBytes: number) => Promise<Uint8Array>;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function depthWithin(v: unknown, limit: number, depth = 0): boolean {
  if (depth > limit) return false;
  if (Array.isArray(v)) return v.every((x) => depthWithin(x, limit, depth + 1));
  if (isObject(v)) return Object.values(v).every((x) => depthWithin(x, limit, depth + 1));
  return true;
}

interface RawLayer {
  className: string;
  name: string;
  config: KerasConfig;
  /** Inbound layer names, in input order (functional models). */
  inbound: string[] | null;
}

function inboundOf(layer: Json, name: string): string[] {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  if (nodes.length > 1)
    throw new ImportError(
      `layer ${name}: it is called ${nodes.length} times (shared layers cannot be imported).`,
    );
  const node = nodes[0] as unknown;
  if (!Array.isArray(node))
    throw new ImportError(`layer ${name}: inbound_nodes is not in the TF.js layers form.`);
  return node.map((t: unknown, i) => {
    if (!Array.isArray(t) || typeof t[0] !== 'string' || t[1] !== 0 || t[2] !== 0)
      throw new ImportError(`layer ${name}: inbound_nodes[0][${i}] is not [layer, 0, 0, {}].`);
    return t[0];
  });
}

/** The layers of the topology, and the names of the model's output layers. */
function readTopology(topology: Json): { layers: RawLayer[]; outputs: string[]; name?: string } {
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const cls = model.class_name;
  const config = model.config;
  const name = isObject(config) && typeof config.name === 'string' ? config.name : undefined;
  const list = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(list)) throw new ImportError('modelTopology: no list of layers (config.layers).');
  if (list.length > IMPORT_LIMITS.maxNodes)
    throw new ImportError(`modelTopology: ${list.length} layers (at most ${IMPORT_LIMITS.maxNodes}).`);
  const functional = cls === 'Model' || cls === 'Functional';
  if (!functional && cls !== 'Sequential')
    throw new ImportError(
      `modelTopology: class_name ${JSON.stringify(cls)} (Sequential, Model or Functional).`,
    );
  const layers = list.map((l: unknown, i): RawLayer => {
    if (!isObject(l) || typeof l.class_name !== 'string' || !isObject(l.config))
      throw new ImportError(`modelTopology: layer ${i} has no class_name and config.`);
    const lname =
      typeof l.name === 'string' ? l.name : typeof l.config.name === 'string' ? l.config.name : `layer_${i}`;
    return {
      className: l.class_name,
      name: lname,
      config: l.config,
      inbound: functional ? inboundOf(l, lname) : null,
    };
  });
  if (!functional)
    return { layers, outputs: layers.length ? [layers.at(-1)!.name] : [], ...(name ? { name } : {}) };
  const outs = isObject(config) ? config.output_layers : undefined;
  if (!Array.isArray(outs) || outs.length === 0) throw new ImportError('modelTopology: no output_layers.');
  const outputs = outs.map((o: unknown) => {
    if (!Array.isArray(o) || typeof o[0] !== 'string')
      throw new ImportError('modelTopology: output_layers is not [[name, 0, 0], …].');
    return o[0];
  });
  return { layers, outputs, ...(name ? { name } : {}) };
}

/** An Input node from an InputLayer's config or a first layer's batch_input_shape. */
function inputParams(config: KerasConfig, where: string): Record<string, ParamValue> {
  const shape = config.batch_input_shape ?? config.batchInputShape ?? config.batch_shape;
  if (!Array.isArray(shape) || shape.length < 2 || shape.length > 5)
    throw new ImportError(`${where}: batch_input_shape is not [null, …] with 1 to 4 sample axes.`);
  const dims = shape.slice(1).map((d: unknown) => {
    if (d === null) return null;
    if (!Number.isInteger(d) || (d as number) < 1)
      throw new ImportError(`${where}: batch_input_shape has ${JSON.stringify(d)}.`);
    return d as number;
  });
  const dtype = config.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32')
    throw new ImportError(`${where}: input dtype ${JSON.stringify(dtype)}.`);
  return { shape: dims, dtype };
}

interface ManifestWeight {
  layer: string;
  weight: string;
  shape: number[];
  offset: number;
}

const hasControl = (s: string) => [...s].some((ch) => ch.charCodeAt(0) < 32);

function safeShardName(p: unknown, where: string): string {
  if (
    typeof p !== 'string' ||
    !p ||
    p.length > 255 ||
    /[/\\]/.test(p) ||
    hasControl(p) ||
    p === '.' ||
    p === '..'
  )
    throw new ImportError(
      `${where}: ${JSON.stringify(p)} is not a file name beside model.json (folders and paths are refused).`,
    );
  return p;
}

/** The manifest's weights, checked, and the shard bytes they index (one buffer). */
async function readWeights(
  manifest: unknown,
  readShard: ShardReader,
): Promise<{ weights: ManifestWeight[]; data: Float32Array }> {
  if (manifest === undefined) return { weights: [], data: new Float32Array(0) };
  if (!Array.isArray(manifest)) throw new ImportError('weightsManifest is not a list.');
  const weights: ManifestWeight[] = [];
  const groups: { paths: string[]; bytes: number }[] = [];
  let total = 0;
  manifest.forEach((g: unknown, gi) => {
    const where = `weightsManifest[${gi}]`;
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights))
      throw new ImportError(`${where}: no paths and weights.`);
    const paths = g.paths.map((p, pi) => safeShardName(p, `${where}.paths[${pi}]`));
    let bytes = 0;
    g.weights.forEach((w: unknown, wi) => {
      const at = `${where}.weights[${wi}]`;
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape))
        throw new ImportError(`${at}: no name and shape.`);
      if (w.quantization !== undefined)
        throw new ImportError(
          `${at} (${w.name}): quantized weights are not imported; save the model unquantized.`,
        );
      if ((w.dtype ?? 'float32') !== 'float32')
        throw new ImportError(`${at} (${w.name}): dtype ${JSON.stringify(w.dtype)} (float32 only).`);
      if (w.shape.length > IMPORT_LIMITS.maxRank || !w.shape.every((d) => Number.isInteger(d) && d >= 0))
        throw new ImportError(`${at} (${w.name}): shape ${JSON.stringify(w.shape)} is not a list of sizes.`);
      const size = (w.shape as number[]).reduce((a, d) => a * d, 1);
      if (size > IMPORT_LIMITS.maxTensorElements)
        throw new ImportError(`${at} (${w.name}): ${size} values is too many.`);
      const parts = canonicalWeightName(w.name.replace(/:0$/, '')).split('/');
      if (parts.length < 2)
        throw new ImportError(`${at}: ${JSON.stringify(w.name)} is not <layer>/<weight>.`);
      const weight = parts.at(-1)!;
      const middle = parts.slice(1, -1).find((s) => /^(forward|backward)_/.test(s));
      weights.push({
        layer: parts[0]!,
        weight: middle ? `${middle.split('_')[0]}_${weight}` : weight,
        shape: w.shape as number[],
        offset: total / 4 + bytes / 4,
      });
      bytes += size * 4;
    });
    groups.push({ paths, bytes });
    total += bytes;
  });
  if (total > IMPORT_LIMITS.maxFileBytes)
    throw new ImportError(`weightsManifest: ${total} bytes of weights is too many.`);
  // The shards are read first (each bounded by what its group still needs), so a small model.json
  // cannot make the importer allocate what its manifest claims before any shard is seen.
  const shards: Uint8Array[] = [];
  for (const [gi, g] of groups.entries()) {
    let got = 0;
    for (const p of g.paths) {
      const shard = await readShard(p, g.bytes - got);
      if (got + shard.byteLength > g.bytes)
        throw new ImportError(
          `weightsManifest[${gi}]: the shards hold more than the ${g.bytes} bytes its weights need (${p}).`,
        );
      shards.push(shard);
      got += shard.byteLength;
    }
    if (got !== g.bytes)
      throw new ImportError(
        `weightsManifest[${gi}]: its shards hold ${got} bytes, its weights need ${g.bytes}.`,
      );
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const shard of shards) {
    all.set(shard, at);
    at += shard.byteLength;
  }
  return { weights, data: new Float32Array(all.buffer) };
}

/** A TF.js layers model as a Netloom model. Throws `ImportError` (located) or `UnsupportedModelError`. */
export async function importTfjs(
  jsonText: string,
  readShard: ShardReader,
  file: string,
): Promise<ImportedModel> {
  if (jsonText.length > IMPORT_LIMITS.maxJsonBytes)
    throw new ImportError(`${file}: larger than ${IMPORT_LIMITS.maxJsonBytes} bytes.`);
  let root: unknown;
  try {
    root = JSON.parse(jsonText);
  } catch (err) {
    throw new ImportError(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!depthWithin(root, IMPORT_LIMITS.maxDepth))
    throw new ImportError(`${file}: nested deeper than ${IMPORT_LIMITS.maxDepth} levels.`);
  if (!isObject(root) || !isObject(root.modelTopology))
    throw new ImportError(
      `${file}: no modelTopology (is this a TF.js layers model.json? Graph models are not imported).`,
    );
  if (root.format !== undefined && root.format !== 'layers-model')
    throw new ImportError(`${file}: format ${JSON.stringify(root.format)} (only layers-model).`);
  const topo = readTopology(root.modelTopology);
  const nodes: ImportedNode[] = [];
  const edges: ImportedEdge[] = [];
  const idOf = new Map<string, string>();
  const taken = new Set<string>();
  const unsupported = new UnsupportedList();
  const axes: { id: string; axis: number; layer: string }[] = [];
  let previous: string | undefined;
  topo.layers.forEach((l, i) => {
    if (idOf.has(l.name)) throw new ImportError(`layer ${l.name}: the name is used twice.`);
    const first = i === 0 && l.inbound === null && l.className !== 'InputLayer';
    if (first) {
      const id = idFrom('input', taken);
      nodes.push({ id, kind: 'Input', params: inputParams(l.config, `layer ${l.name}`) });
      previous = id;
    }
    const id = idFrom(l.name, taken);
    idOf.set(l.name, id);
    if (l.className === 'InputLayer') {
      nodes.push({
        id,
        kind: 'Input',
        params: inputParams(l.config, `layer ${l.name}`),
        ...(id !== l.name ? { name: l.name } : {}),
      });
      previous = id;
      return;
    }
    const mapped = mapKerasLayer(l.className, l.config);
    if ('unsupported' in mapped) {
      unsupported.add(mapped.unsupported, l.name);
      previous = id;
      return;
    }
    const sources = l.inbound ?? (previous ? [previous] : []);
    const params = { ...mapped.params };
    if (l.inbound && (mapped.kind === 'Add' || mapped.kind === 'Multiply' || mapped.kind === 'Concatenate'))
      params.inputs = sources.length;
    nodes.push({ id, kind: mapped.kind, params, ...(id !== l.name ? { name: l.name } : {}) });
    if (mapped.axis !== undefined) axes.push({ id, axis: mapped.axis, layer: l.name });
    const spec = layerSpec(mapped.kind);
    const ports = spec.ports({
      ...Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [k, v.default])),
      ...params,
    } as never);
    sources.forEach((s, k) => {
      const src = l.inbound ? idOf.get(s) : s;
      if (!src) throw new ImportError(`layer ${l.name}: its input ${s} is not an earlier layer.`);
      const port = ports[k]?.name;
      if (!port)
        throw new ImportError(
          `layer ${l.name}: ${sources.length} inputs, the ${mapped.kind} layer takes ${ports.length}.`,
        );
      edges.push({ source: src, target: id, targetPort: port });
    });
    previous = id;
  });
  unsupported.throwIfAny('tfjs');
  const report = checkGraph({
    nodes: nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })),
    edges: edges.map((e, i) => ({ id: `e${i}`, ...e })),
  });
  for (const a of axes) {
    const rank = report.nodes.get(a.id)?.inputShapes[0]?.length;
    if (a.axis !== -1 && rank !== undefined && a.axis !== rank - 1)
      unsupported.add(`axis ${a.axis} (only the last axis)`, a.layer);
  }
  unsupported.throwIfAny('tfjs');
  const { weights: manifest, data } = await readWeights(root.weightsManifest, readShard);
  const weights = new Map<string, Record<string, HostWeight>>();
  for (const w of manifest) {
    const id = idOf.get(w.layer);
    if (!id)
      throw new ImportError(`weightsManifest: ${w.layer}/${w.weight} belongs to no layer of the topology.`);
    const size = w.shape.reduce((a, d) => a * d, 1);
    const own = weights.get(id) ?? {};
    if (own[w.weight]) throw new ImportError(`weightsManifest: ${w.layer}/${w.weight} is listed twice.`);
    own[w.weight] = { shape: w.shape, data: data.slice(w.offset, w.offset + size) };
    weights.set(id, own);
  }
  const outputs = topo.outputs.map((o) => {
    const id = idOf.get(o);
    if (!id) throw new ImportError(`output_layers: ${o} is not a layer.`);
    return id;
  });
  return {
    format: 'tfjs',
    ...(topo.name ? { name: topo.name } : {}),
    nodes,
    edges,
    outputs,
    weights,
    layout: 'channels-last',
  };
}
