/**
 * The graph thread (vector-index-ann.ts GraphThread): the process's HNSW graphs, changed and searched by messages
 * in the order they were posted. A graph made or loaded is answered (a load usearch refuses, with its error); a
 * change posted without a reply that fails fails that graph's next search or save.
 */
import { parentPort } from 'node:worker_threads';
import { AnnGraph, type GraphMessage, type GraphReply } from './vector-index-ann.ts';

const graphs = new Map<number, AnnGraph>();
const failures = new Map<number, string>();

function graphOf(id: number): AnnGraph {
  const graph = graphs.get(id);
  if (!graph) throw new Error(`no graph ${id}`);
  return graph;
}

parentPort!.on('message', (m: GraphMessage) => {
  const reply = (r: Omit<GraphReply, 'call'>) => m.call !== undefined && parentPort!.postMessage({ ...r, call: m.call });
  try {
    const failed = failures.get(m.graph);
    if (failed) throw new Error(failed);
    switch (m.op) {
      case 'empty':
        graphs.set(m.graph, AnnGraph.empty(m.dimensions, m.options));
        reply({ done: true });
        break;
      case 'load':
        graphs.set(m.graph, AnnGraph.load(m.dimensions, m.file, m.options));
        reply({ done: true });
        break;
      case 'set':
        graphOf(m.graph).set(m.slots, m.bytes, m.scale);
        reply({ done: true });
        break;
      case 'remove':
        graphOf(m.graph).remove(m.slot);
        break;
      case 'candidates':
        reply({ keys: graphOf(m.graph).candidates(m.vector, m.k, m.filtered) });
        break;
      case 'save':
        graphOf(m.graph).save(m.file);
        reply({ done: true });
        break;
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (m.call === undefined) failures.set(m.graph, message);
    else reply({ error: message });
  }
});
