import { describe, expect, it } from 'vitest';
import { NODE_WIDTH, dagInput, layoutDag, layoutKey, loopRefs } from '../src/dag';

const steps = [
  { ref: 'fetch', type: 'TASK', status: 'COMPLETED', dependsOn: [] },
  { ref: 'split', type: 'FOR_EACH', status: 'RUNNING', dependsOn: ['fetch'] },
  { ref: 'split[0]', type: 'TASK', status: 'COMPLETED', dependsOn: [], iteration: 0, parentRef: 'split' },
  { ref: 'split[1]', type: 'TASK', status: 'FAILED', dependsOn: [], iteration: 1, parentRef: 'split' },
  { ref: 'split[2]', type: 'TASK', status: 'COMPLETED', dependsOn: [], iteration: 2, parentRef: 'split' },
  { ref: 'notify', name: 'Notify', type: 'TASK', status: 'PENDING', dependsOn: ['split', 'fetch', 'gone'] },
];

describe('the DAG layout input', () => {
  it('draws top-level steps and counts loop iterations on their loop', () => {
    const input = dagInput(steps);
    expect(input.nodes.map((node) => node.ref)).toEqual(['fetch', 'split', 'notify']);
    const loop = input.nodes[1];
    expect(loop.iterations).toBe(3);
    expect(loop.iterationStatuses).toEqual({ COMPLETED: 2, FAILED: 1 });
    expect(input.nodes[2].label).toBe('Notify');
  });

  it('makes an edge per dependency on a drawn step', () => {
    expect(dagInput(steps).edges).toEqual([
      { from: 'fetch', to: 'split' },
      { from: 'split', to: 'notify' },
      { from: 'fetch', to: 'notify' },
    ]);
  });

  it('lays dependencies out left to right', () => {
    const layout = layoutDag(dagInput(steps));
    const x = Object.fromEntries(layout.nodes.map((node) => [node.ref, node.x]));
    expect(x.fetch).toBeLessThan(x.split);
    expect(x.split).toBeLessThan(x.notify);
    expect(layout.width).toBeGreaterThanOrEqual(3 * NODE_WIDTH);
    expect(layout.edges).toHaveLength(3);
  });
});

describe('big graphs', () => {
  it('expands a loop into its iterations, each after the loop', () => {
    const input = dagInput(steps, new Set(['split']));
    expect(input.nodes.map((node) => node.ref)).toEqual(['fetch', 'split', 'notify', 'split[0]', 'split[1]', 'split[2]']);
    expect(input.nodes[4]).toMatchObject({ label: 'split[1]', status: 'FAILED' });
    expect(input.edges.filter((edge) => edge.from === 'split').map((edge) => edge.to)).toEqual(['notify', 'split[0]', 'split[1]', 'split[2]']);
    expect(loopRefs(input)).toEqual(['split']);
  });

  it('keys the layout on nodes and edges, not on statuses', () => {
    const moved = steps.map((step) => ({ ...step, status: 'COMPLETED' }));
    expect(layoutKey(dagInput(moved))).toBe(layoutKey(dagInput(steps)));
    expect(layoutKey(dagInput(steps, new Set(['split'])))).not.toBe(layoutKey(dagInput(steps)));
  });
});
