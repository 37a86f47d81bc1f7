/**
 * The step DAG: which nodes and edges to draw (FOR_EACH iterations grouped under their
 * loop step), and their positions from dagre.
 */
import dagre from '@dagrejs/dagre';

export interface DagStep {
  ref: string;
  name?: string | null;
  type: string;
  status?: string | null;
  dependsOn: string[];
  iteration?: number | null;
  parentRef?: string | null;
}

export interface DagNode {
  ref: string;
  label: string;
  type: string;
  status: string | null;
  /** FOR_EACH: how many iterations, and how many of them per status */
  iterations: number;
  iterationStatuses: Record<string, number>;
}

export interface DagInput {
  nodes: DagNode[];
  edges: { from: string; to: string }[];
}

/** Above this many steps (iterations included) the graph is drawn only on request (UI.md). */
export const DRAW_ON_REQUEST_ABOVE = 500;

/**
 * Nodes for the top-level steps (iterations counted on their loop), edges from dependsOn.
 * A loop in `expanded` also draws each of its iterations, as a node after the loop.
 */
export function dagInput(steps: DagStep[], expanded: ReadonlySet<string> = new Set()): DagInput {
  const top = steps.filter((step) => step.iteration == null && !step.parentRef);
  const refs = new Set(top.map((step) => step.ref));
  const nodes: DagNode[] = top.map((step) => ({
    ref: step.ref,
    label: step.name || step.ref,
    type: step.type,
    status: step.status ?? null,
    iterations: 0,
    iterationStatuses: {},
  }));
  const byRef = new Map(nodes.map((node) => [node.ref, node]));
  const iterationNodes: DagNode[] = [];
  const iterationEdges: { from: string; to: string }[] = [];
  for (const step of steps) {
    if (step.parentRef == null && step.iteration == null) continue;
    const loop = byRef.get(step.parentRef ?? '');
    if (!loop) continue;
    loop.iterations += 1;
    const status = step.status ?? 'PENDING';
    loop.iterationStatuses[status] = (loop.iterationStatuses[status] ?? 0) + 1;
    if (expanded.has(loop.ref)) {
      const ref = step.ref;
      iterationNodes.push({ ref, label: `${loop.ref}[${step.iteration ?? '?'}]`, type: step.type, status: step.status ?? null, iterations: 0, iterationStatuses: {} });
      iterationEdges.push({ from: loop.ref, to: ref });
    }
  }
  const edges = top.flatMap((step) =>
    step.dependsOn.filter((dep) => refs.has(dep)).map((dep) => ({ from: dep, to: step.ref })),
  );
  return { nodes: [...nodes, ...iterationNodes], edges: [...edges, ...iterationEdges] };
}

/** The loops (FOR_EACH steps with iterations) that a graph can expand. */
export function loopRefs(input: DagInput): string[] {
  return input.nodes.filter((node) => node.iterations > 0).map((node) => node.ref);
}

/**
 * What the layout depends on: the nodes and edges, not their statuses. A run page re-reads
 * its run after each event; the layout is computed again only when this key changes.
 */
export function layoutKey(input: DagInput): string {
  return `${input.nodes.map((node) => node.ref).join('\n')}\u0000${input.edges.map((edge) => `${edge.from}\u0001${edge.to}`).join('\n')}`;
}

export interface PlacedNode extends DagNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  nodes: PlacedNode[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 44;

/** Positions from dagre, left to right. */
export function layoutDag(input: DagInput): Layout {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 42, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of input.nodes) graph.setNode(node.ref, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of input.edges) graph.setEdge(edge.from, edge.to);
  dagre.layout(graph);
  const nodes = input.nodes.map((node) => {
    const placed = graph.node(node.ref);
    return { ...node, x: placed.x, y: placed.y, width: NODE_WIDTH, height: NODE_HEIGHT };
  });
  const edges = input.edges.map((edge) => ({ ...edge, points: graph.edge(edge.from, edge.to).points ?? [] }));
  const size = graph.graph();
  return { nodes, edges, width: size.width ?? 0, height: size.height ?? 0 };
}
