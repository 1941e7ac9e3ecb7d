import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FlowGraph } from "../api/types.ts";
import { layoutFlowGraph, layoutGraph, longestPathRanks, type Box, type LayoutInput } from "./graphLayout.ts";

const node = (id: string, width = 100, height = 40) => ({ id, width, height });

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function contains(outer: Box, inner: Box): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/** A flow like `start → a → parallel(b, c) → d → end`, the parallel as a cluster with its own start and end. */
const flowLike: LayoutInput = {
  nodes: [
    node("start", 12, 12),
    node("a"),
    node("p.start", 12, 12),
    node("p"),
    node("b"),
    node("c"),
    node("p.end", 12, 12),
    node("d"),
    node("err"),
    node("end", 12, 12),
  ],
  edges: [
    { source: "start", target: "a" },
    { source: "a", target: "p.start" },
    { source: "p.start", target: "p" },
    { source: "p", target: "b" },
    { source: "p", target: "c" },
    { source: "b", target: "p.end" },
    { source: "c", target: "p.end" },
    { source: "p.end", target: "d" },
    { source: "d", target: "end" },
    { source: "start", target: "err" },
    { source: "err", target: "end" },
  ],
  clusters: [{ id: "cluster_p", members: ["p.start", "p", "b", "c", "p.end"] }],
};

describe("layoutGraph", () => {
  it("puts every edge's target on a later layer than its source (top to bottom)", () => {
    const layout = layoutGraph(flowLike);
    for (const e of flowLike.edges) {
      const s = layout.nodes.get(e.source)!;
      const t = layout.nodes.get(e.target)!;
      expect(t.y, `${e.source} → ${e.target}`).toBeGreaterThanOrEqual(s.y + s.height);
    }
    // the two branches of the parallel share a layer, side by side
    const b = layout.nodes.get("b")!;
    const c = layout.nodes.get("c")!;
    expect(b.y).toBe(c.y);
    expect(Math.abs(b.x - c.x)).toBeGreaterThanOrEqual(100);
    expect(layout.ranks.get("b")).toBe(layout.ranks.get("c"));
  });

  it("lays out left to right with the flow along x", () => {
    const layout = layoutGraph({ ...flowLike, direction: "LR" });
    for (const e of flowLike.edges) {
      const s = layout.nodes.get(e.source)!;
      const t = layout.nodes.get(e.target)!;
      expect(t.x).toBeGreaterThanOrEqual(s.x + s.width);
    }
    expect(layout.width).toBeGreaterThan(layout.height);
  });

  it("never overlaps two nodes, nor a node and a cluster it is not in", () => {
    for (const direction of ["TB", "LR"] as const) {
      const layout = layoutGraph({ ...flowLike, direction });
      const boxes = [...layout.nodes.entries()];
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++)
          expect(overlaps(boxes[i]![1], boxes[j]![1]), `${boxes[i]![0]} / ${boxes[j]![0]}`).toBe(false);
      const cluster = layout.clusters.get("cluster_p")!;
      for (const outside of ["start", "a", "d", "err", "end"])
        expect(overlaps(cluster, layout.nodes.get(outside)!), outside).toBe(false);
    }
  });

  it("holds each cluster's members, nested clusters included, inside its bounds", () => {
    const layout = layoutGraph({
      nodes: [node("x"), node("y"), node("z"), node("w")],
      edges: [
        { source: "x", target: "y" },
        { source: "y", target: "z" },
        { source: "z", target: "w" },
      ],
      clusters: [
        { id: "outer", members: ["y", "inner"] },
        { id: "inner", members: ["z"] },
      ],
    });
    const outer = layout.clusters.get("outer")!;
    const inner = layout.clusters.get("inner")!;
    expect(contains(outer, layout.nodes.get("y")!)).toBe(true);
    expect(contains(outer, inner)).toBe(true);
    expect(contains(inner, layout.nodes.get("z")!)).toBe(true);
    expect(contains(outer, layout.nodes.get("x")!)).toBe(false);
    expect(overlaps(outer, layout.nodes.get("w")!)).toBe(false);
    // the whole drawing fits in the reported size
    for (const box of [...layout.nodes.values(), ...layout.clusters.values()]) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(layout.width + 0.001);
      expect(box.y + box.height).toBeLessThanOrEqual(layout.height + 0.001);
    }
  });

  it("draws each edge from its source's bottom to its target's top", () => {
    const layout = layoutGraph(flowLike);
    const edge = layout.edges.find((e) => e.source === "a" && e.target === "p.start")!;
    const a = layout.nodes.get("a")!;
    const ps = layout.nodes.get("p.start")!;
    expect(edge.points).toEqual([
      { x: a.x + a.width / 2, y: a.y + a.height },
      { x: ps.x + ps.width / 2, y: ps.y },
    ]);
  });

  it("routes an edge across several layers through a lane of its own, clear of the boxes it passes", () => {
    const layout = layoutGraph(flowLike);
    // err (layer 1) → end (layer 4) passes layers 2 and 3, beside the parallel and d
    const edge = layout.edges.find((e) => e.source === "err" && e.target === "end")!;
    expect(edge.points).toHaveLength(4);
    const boxes = [...layout.nodes.values(), ...layout.clusters.values()];
    for (const p of edge.points.slice(1, -1)) {
      for (const box of boxes) expect(overlaps({ x: p.x - 1, y: p.y - 1, width: 2, height: 2 }, box)).toBe(false);
    }
    for (let i = 1; i < edge.points.length; i++) expect(edge.points[i]!.y).toBeGreaterThan(edge.points[i - 1]!.y);
  });

  it("lays out a graph with a cycle and an empty one", () => {
    const cyclic = layoutGraph({
      nodes: [node("a"), node("b")],
      edges: [
        { source: "a", target: "b" },
        { source: "b", target: "a" },
      ],
    });
    expect(cyclic.nodes.size).toBe(2);
    expect(overlaps(cyclic.nodes.get("a")!, cyclic.nodes.get("b")!)).toBe(false);
    const empty = layoutGraph({ nodes: [], edges: [] });
    expect(empty.width).toBe(0);
  });

  it("keeps a long chain of 500 nodes on 500 layers quickly", () => {
    const nodes = Array.from({ length: 500 }, (_, i) => node(`n${i}`));
    const edges = nodes.slice(1).map((n, i) => ({ source: `n${i}`, target: n.id }));
    const layout = layoutGraph({ nodes, edges });
    expect(layout.ranks.get("n499")).toBe(499);
    expect(layout.height).toBe(500 * 40 + 499 * 40);
  });
});

describe("longestPathRanks", () => {
  it("ranks by the longest path from a source", () => {
    // 0 → 1 → 2, 0 → 2: 2 is on rank 2
    expect(longestPathRanks(3, [[1, 2], [2], []])).toEqual([0, 1, 2]);
  });
});

describe("layoutFlowGraph", () => {
  it("lays out a real flow graph (ForEach holding an If, Switch, Sequential with errors, errors, finally)", () => {
    // GET /flows/company.team/complex/graph of a flow with nested flowable tasks
    const graph = JSON.parse(
      readFileSync(join(import.meta.dirname, "fixtures/complex-flow-graph.json"), "utf8"),
    ) as FlowGraph;
    for (const direction of ["TB", "LR"] as const) {
      const layout = layoutFlowGraph(graph, direction);
      expect(layout.nodes.size).toBe(graph.nodes.length);
      expect(layout.clusters.size).toBe(graph.clusters.length);
      // each cluster holds its members; a node is inside exactly the clusters that hold it
      const holders = new Map<string, Set<string>>();
      const add = (uid: string, cluster: string) => holders.set(uid, (holders.get(uid) ?? new Set()).add(cluster));
      for (const c of graph.clusters) {
        for (const member of c.nodes) {
          const box = layout.nodes.get(member) ?? layout.clusters.get(member)!;
          expect(contains(layout.clusters.get(c.cluster.uid)!, box), `${member} in ${c.cluster.uid}`).toBe(true);
          add(member, c.cluster.uid);
          for (const parent of c.parents ?? []) add(member, parent);
        }
      }
      for (const [uid, box] of layout.nodes) {
        for (const [cluster, cbox] of layout.clusters) {
          if (!holders.get(uid)?.has(cluster)) expect(overlaps(box, cbox), `${uid} / ${cluster}`).toBe(false);
        }
      }
      const boxes = [...layout.nodes.entries()];
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++)
          expect(overlaps(boxes[i]![1], boxes[j]![1]), `${boxes[i]![0]} / ${boxes[j]![0]}`).toBe(false);
      // every edge goes forward
      for (const e of layout.edges) {
        const [first, last] = [e.points[0]!, e.points.at(-1)!];
        expect(direction === "TB" ? last.y > first.y : last.x > first.x, `${e.source} → ${e.target}`).toBe(true);
      }
    }
  });
});
