/**
 * A layered layout of a directed graph with nested clusters (a flow's topology), top-to-bottom or
 * left-to-right, without a dependency.
 *
 * Compound graphs are laid out from the inside out: each cluster is laid out on its own (its
 * members, with the edges between them), then stands as one box in its parent's layout, the edges
 * that cross its border counting as edges of the box. In each block the items get a rank (the
 * longest path from a source, so every edge goes forward), are ordered within their rank by a few
 * barycentre sweeps (fewer crossings) and are placed side by side, each rank as deep as its
 * deepest item. Sibling boxes therefore never overlap and a cluster's box holds its members.
 */

import type { FlowGraph } from "../api/types.ts";

export type Direction = "TB" | "LR";

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutCluster {
  id: string;
  /** Direct members: node ids and ids of nested clusters. */
  members: readonly string[];
}

export interface LayoutInput {
  nodes: readonly LayoutNode[];
  edges: readonly { source: string; target: string }[];
  clusters?: readonly LayoutCluster[];
  direction?: Direction;
  /** Space between items of one rank (default 24). */
  nodeGap?: number;
  /** Space between ranks (default 40). */
  rankGap?: number;
  /** Space inside a cluster's border (default 14). */
  clusterPadding?: number;
  /** Room for a cluster's title, before its first rank (default 22). */
  clusterHeader?: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface LayoutResult {
  nodes: Map<string, Box>;
  clusters: Map<string, Box>;
  /**
   * Each edge from the side of its source facing the flow to the side of its target facing back,
   * through a point on each rank it crosses.
   */
  edges: { source: string; target: string; points: Point[] }[];
  /** The rank of each node within its own block (cluster or top level). */
  ranks: Map<string, number>;
  width: number;
  height: number;
}

/** An item of a block: a node or a nested cluster, with its size along the flow (`main`) and across it (`cross`). */
interface Item {
  id: string;
  main: number;
  cross: number;
  /** Position of the item's top-left corner inside its block (main, cross). */
  at: { main: number; cross: number };
  /** A point a long edge passes through, holding its place in a rank it crosses. */
  dummy?: boolean;
}

interface Block {
  items: Item[];
  main: number;
  cross: number;
}

export function layoutGraph(input: LayoutInput): LayoutResult {
  const dir = input.direction ?? "TB";
  const nodeGap = input.nodeGap ?? 24;
  const rankGap = input.rankGap ?? 40;
  const padding = input.clusterPadding ?? 14;
  const header = input.clusterHeader ?? 22;

  const clusterIds = new Set((input.clusters ?? []).map((c) => c.id));
  const nodeById = new Map(input.nodes.map((n) => [n.id, n]));
  /** The block (cluster id, or "" for the top level) each node and cluster sits in. */
  const parentOf = new Map<string, string>();
  for (const c of input.clusters ?? []) {
    for (const m of c.members) if (m !== c.id && (nodeById.has(m) || clusterIds.has(m))) parentOf.set(m, c.id);
  }
  const children = new Map<string, string[]>();
  const addChild = (parent: string, id: string) => {
    const list = children.get(parent);
    if (list) list.push(id);
    else children.set(parent, [id]);
  };
  for (const n of input.nodes) addChild(parentOf.get(n.id) ?? "", n.id);
  for (const c of input.clusters ?? []) {
    // a cluster nested in itself through a cycle of parents would never end: keep it at the top
    if (isInside(parentOf, c.id, c.id)) parentOf.delete(c.id);
    addChild(parentOf.get(c.id) ?? "", c.id);
  }
  // children keep the input's order, nodes and clusters interleaved as their first member comes
  const order = new Map<string, number>();
  input.nodes.forEach((n, i) => order.set(n.id, i));
  const firstIndex = (id: string): number => {
    if (order.has(id)) return order.get(id)!;
    let min = Number.MAX_SAFE_INTEGER;
    for (const child of children.get(id) ?? []) min = Math.min(min, firstIndex(child));
    order.set(id, min);
    return min;
  };
  for (const list of children.values()) list.sort((a, b) => firstIndex(a) - firstIndex(b));

  /** The member of `block` that holds `id` (itself or an enclosing cluster), or undefined when `id` is outside. */
  const holderIn = (block: string, id: string): string | undefined => {
    let current: string | undefined = id;
    for (let guard = 0; current !== undefined && guard < 10_000; guard++) {
      const parent: string = parentOf.get(current) ?? "";
      if (parent === block) return current;
      if (parent === "") return undefined;
      current = parent;
    }
    return undefined;
  };

  const ranks = new Map<string, number>();
  const blocks = new Map<string, Block>();
  /** The dummy items of each long edge: `block\nsourceHolder\ntargetHolder` → ids. */
  const routes = new Map<string, string[]>();
  const dummyAt = new Map<string, Point>();
  const layoutBlock = (block: string): Block => {
    const ids = children.get(block) ?? [];
    const items: Item[] = ids.map((id) => {
      if (clusterIds.has(id)) {
        const inner = layoutBlock(id);
        return {
          id,
          main: inner.main + 2 * padding + header,
          cross: Math.max(inner.cross + 2 * padding, 60),
          at: { main: 0, cross: 0 },
        };
      }
      const n = nodeById.get(id)!;
      return {
        id,
        main: dir === "TB" ? n.height : n.width,
        cross: dir === "TB" ? n.width : n.height,
        at: { main: 0, cross: 0 },
      };
    });
    const index = new Map(items.map((it, i) => [it.id, i]));
    const succ: number[][] = items.map(() => []);
    const pred: number[][] = items.map(() => []);
    const seen = new Set<string>();
    for (const e of input.edges) {
      const s = holderIn(block, e.source);
      const t = holderIn(block, e.target);
      if (s === undefined || t === undefined || s === t) continue;
      const key = `${s}\n${t}`;
      if (seen.has(key)) continue;
      seen.add(key);
      succ[index.get(s)!]!.push(index.get(t)!);
      pred[index.get(t)!]!.push(index.get(s)!);
    }
    const rank = longestPathRanks(items.length, succ);
    items.forEach((it, i) => ranks.set(it.id, rank[i]!));
    // an edge across several ranks passes through a dummy item on each, so that it keeps its own
    // lane and is not drawn across the boxes of those ranks
    const count = items.length;
    for (let si = 0; si < count; si++) {
      for (const [k, ti] of [...succ[si]!].entries()) {
        if (rank[ti]! - rank[si]! <= 1) continue;
        const chain: string[] = [];
        let previous = si;
        for (let r = rank[si]! + 1; r < rank[ti]!; r++) {
          const id = `\u0000${block}\u0000${items.length}`;
          items.push({ id, main: 0, cross: 10, at: { main: 0, cross: 0 }, dummy: true });
          rank.push(r);
          const di = items.length - 1;
          succ.push([]);
          pred.push([previous]);
          if (previous === si) succ[si]![k] = di;
          else succ[previous]!.push(di);
          chain.push(id);
          previous = di;
        }
        succ[previous]!.push(ti);
        pred[ti] = pred[ti]!.map((p) => (p === si ? previous : p));
        routes.set(`${block}\n${items[si]!.id}\n${items[ti]!.id}`, chain);
      }
    }
    const layers = orderLayers(rank, pred, succ);
    // main axis: each rank as deep as its deepest item, items centred in it
    const depth = layers.map((layer) => Math.max(0, ...layer.map((i) => items[i]!.main)));
    const breadth = layers.map(
      (layer) => layer.reduce((sum, i) => sum + items[i]!.cross, 0) + nodeGap * Math.max(0, layer.length - 1),
    );
    const widest = Math.max(0, ...breadth);
    let mainAt = 0;
    layers.forEach((layer, r) => {
      let crossAt = (widest - breadth[r]!) / 2;
      for (const i of layer) {
        const it = items[i]!;
        it.at = { main: mainAt + (depth[r]! - it.main) / 2, cross: crossAt };
        crossAt += it.cross + nodeGap;
      }
      mainAt += depth[r]! + rankGap;
    });
    const result = { items, main: Math.max(0, mainAt - rankGap), cross: widest };
    blocks.set(block, result);
    return result;
  };
  const top = layoutBlock("");

  const nodes = new Map<string, Box>();
  const clusters = new Map<string, Box>();
  const toBox = (main: number, cross: number, mainSize: number, crossSize: number): Box =>
    dir === "TB"
      ? { x: cross, y: main, width: crossSize, height: mainSize }
      : { x: main, y: cross, width: mainSize, height: crossSize };
  const place = (block: string, originMain: number, originCross: number) => {
    for (const it of blocks.get(block)!.items) {
      const main = originMain + it.at.main;
      const cross = originCross + it.at.cross;
      if (it.dummy) {
        const box = toBox(main, cross, it.main, it.cross);
        dummyAt.set(it.id, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
      } else if (clusterIds.has(it.id)) {
        clusters.set(it.id, toBox(main, cross, it.main, it.cross));
        const inner = blocks.get(it.id)!;
        place(it.id, main + padding + header, cross + (it.cross - inner.cross) / 2);
      } else nodes.set(it.id, toBox(main, cross, it.main, it.cross));
    }
  };
  place("", 0, 0);

  /** The points a long edge passes through, in the block holding both its ends apart. */
  const via = (source: string, target: string): Point[] => {
    for (let block = parentOf.get(source) ?? "", guard = 0; guard < 10_000; guard++) {
      const s = holderIn(block, source);
      const t = holderIn(block, target);
      if (s !== undefined && t !== undefined && s !== t)
        return (routes.get(`${block}\n${s}\n${t}`) ?? []).map((id) => dummyAt.get(id)!);
      if (block === "") return [];
      block = parentOf.get(block) ?? "";
    }
    return [];
  };
  const edges: LayoutResult["edges"] = [];
  for (const e of input.edges) {
    const s = nodes.get(e.source) ?? clusters.get(e.source);
    const t = nodes.get(e.target) ?? clusters.get(e.target);
    if (!s || !t) continue;
    const start =
      dir === "TB" ? { x: s.x + s.width / 2, y: s.y + s.height } : { x: s.x + s.width, y: s.y + s.height / 2 };
    const end = dir === "TB" ? { x: t.x + t.width / 2, y: t.y } : { x: t.x, y: t.y + t.height / 2 };
    edges.push({ source: e.source, target: e.target, points: [start, ...via(e.source, e.target), end] });
  }
  const size = toBox(0, 0, top.main, top.cross);
  return { nodes, clusters, edges, ranks, width: size.width, height: size.height };
}

function isInside(parentOf: Map<string, string>, id: string, ancestor: string): boolean {
  let current = parentOf.get(id);
  for (let guard = 0; current !== undefined && guard < 10_000; guard++) {
    if (current === ancestor) return true;
    current = parentOf.get(current);
  }
  return false;
}

/** Rank of each item: the longest path from a source; edges closing a cycle are ignored. */
export function longestPathRanks(count: number, succ: readonly (readonly number[])[]): number[] {
  // depth-first search marks the back edges (a cycle), then ranks in topological order
  const state = new Array<number>(count).fill(0);
  const topo: number[] = [];
  const back = new Set<string>();
  for (let start = 0; start < count; start++) {
    if (state[start] !== 0) continue;
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const frame = stack[stack.length - 1]!;
      const [v, k] = frame;
      const next = succ[v]![k];
      if (next === undefined) {
        state[v] = 2;
        topo.push(v);
        stack.pop();
        continue;
      }
      frame[1]++;
      if (state[next] === 1) back.add(`${v}>${next}`);
      else if (state[next] === 0) {
        state[next] = 1;
        stack.push([next, 0]);
      }
    }
  }
  topo.reverse();
  const rank = new Array<number>(count).fill(0);
  for (const v of topo) {
    for (const w of succ[v]!) {
      if (!back.has(`${v}>${w}`)) rank[w] = Math.max(rank[w]!, rank[v]! + 1);
    }
  }
  return rank;
}

/** The items of each rank, ordered by barycentre sweeps (down then up) from the input order. */
export function orderLayers(
  rank: readonly number[],
  pred: readonly (readonly number[])[],
  succ: readonly (readonly number[])[],
): number[][] {
  const layers: number[][] = [];
  rank.forEach((r, i) => (layers[r] ??= []).push(i));
  for (let r = 0; r < layers.length; r++) layers[r] ??= [];
  const position = new Array<number>(rank.length).fill(0);
  const record = () => layers.forEach((layer) => layer.forEach((v, i) => (position[v] = i)));
  record();
  const sweep = (from: number, to: number, step: number, neighbours: readonly (readonly number[])[]) => {
    for (let r = from; r !== to; r += step) {
      const layer = layers[r]!;
      const key = new Map<number, number>();
      for (const v of layer) {
        const ns = neighbours[v]!.filter((n) => (step > 0 ? rank[n]! < r : rank[n]! > r));
        key.set(v, ns.length ? ns.reduce((s, n) => s + position[n]!, 0) / ns.length : position[v]!);
      }
      // stable: ties keep their order
      layer.sort((a, b) => key.get(a)! - key.get(b)! || position[a]! - position[b]!);
      layer.forEach((v, i) => (position[v] = i));
    }
  };
  for (let pass = 0; pass < 2 && layers.length > 1; pass++) {
    sweep(1, layers.length, 1, pred);
    sweep(layers.length - 2, -1, -1, succ);
  }
  return layers;
}

/** The size of a task or trigger box, and of a cluster's start and end dots. */
export const TASK_BOX = { width: 196, height: 54 };
export const DOT_SIZE = 14;

const isDotType = (type: string) => type.endsWith("GraphClusterRoot") || type.endsWith("GraphClusterEnd");

/** The layout of the API's flow graph (nodes, edges, clusters of flowable tasks). */
export function layoutFlowGraph(graph: FlowGraph, direction: Direction = "TB"): LayoutResult {
  return layoutGraph({
    direction,
    nodes: graph.nodes.map((n) =>
      isDotType(n.type)
        ? { id: n.uid, width: DOT_SIZE, height: DOT_SIZE }
        : { id: n.uid, width: TASK_BOX.width, height: TASK_BOX.height },
    ),
    edges: graph.edges,
    clusters: graph.clusters.map((c) => ({ id: c.cluster.uid, members: c.nodes })),
    rankGap: 36,
    nodeGap: 20,
  });
}
