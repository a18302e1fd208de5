"""Weighted influence matches an independent oracle (networkx weighted PageRank) to 1e-6, gives
the same bytes however the graph is cut into blocks, and starts warm from earlier ranks."""
import networkx as nx
import numpy as np
import pytest
from pyspark.testing import assertDataFrameEqual

from pyspark.sql import functions as F

from jobs.transforms.influence import (BLOCK, PACKED, numbered_edges, pack_ranks, packer, sent_mass, transition,
                                      vertex_index, vertices_of, weighted_pagerank)

DAMPING = 0.85


def oracle(edges, nodes):
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for src, dst, w in edges:
        graph.add_edge(src, dst, weight=w)
    return nx.pagerank(graph, alpha=DAMPING, weight="weight", tol=1e-13, max_iter=10_000)


def ours(spark, edges, *, tolerance=1e-9, max_iterations=500, **options):
    frame = spark.createDataFrame(edges, "src STRING, dst STRING, weight DOUBLE")
    result = weighted_pagerank(frame, damping=DAMPING, tolerance=tolerance, max_iterations=max_iterations,
                               checkpoint=lambda df: df.localCheckpoint(eager=True), **options)
    return {r.id: r.influence for r in result.ranks.collect()}, result


def random_graph(seed, n=40, m=160):
    rng = np.random.default_rng(seed)
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, size=(m, 2)) if a != b}
    return [(f"v{a}", f"v{b}", float(rng.uniform(0.1, 5.0))) for a, b in sorted(pairs)]


GRAPHS = {
    "random": random_graph(1),
    "star": [(f"fan{i}", "celebrity", 1.0 + i % 3) for i in range(30)],
    "chain": [(f"c{i}", f"c{i + 1}", 1.0) for i in range(12)],
    "disconnected": [("a", "b", 2.0), ("b", "a", 1.0), ("x", "y", 1.0), ("y", "z", 3.0), ("z", "x", 0.5)],
    "dangling": [("a", "b", 1.0), ("a", "c", 3.0), ("c", "a", 1.0), ("d", "c", 1.0)],
}


@pytest.fixture(scope="module")
def union_result(spark):
    """All graphs at once, as disjoint components of one graph (one Spark run, not five).

    With uniform teleport and uniform dangling redistribution every component receives the
    same constant inflow per vertex, so each component's ranks, normalised to sum to 1, equal
    that graph's own PageRank: the oracle is still run on each graph alone.
    """
    edges = [(f"{name}/{s}", f"{name}/{d}", w) for name, graph in GRAPHS.items() for s, d, w in graph]
    return ours(spark, edges)


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_matches_networkx(union_result, name):
    got_all, result = union_result
    edges = GRAPHS[name]
    nodes = sorted({n for s, d, _ in edges for n in (s, d)})
    got = {n: got_all[f"{name}/{n}"] for n in nodes}
    total = sum(got.values())
    expected = oracle(edges, nodes)
    assert max(abs(got[n] / total - expected[n]) for n in nodes) < 1e-6
    assert sum(got_all.values()) == pytest.approx(1.0, abs=1e-9)
    assert result.residual <= 1e-9


def test_edge_weights_matter(spark):
    # b and c get one engagement each from a; the heavier one must come out ahead
    got, result = ours(spark, [("a", "b", 1.0), ("a", "c", 4.0)])
    assert got["c"] > got["b"]
    # By hand, d = 0.85, n = 3: b and c dangle, so every vertex receives base = (1 - d)/3 +
    # d(b + c)/3; a receives nothing else (a = base), b gets d·a/5 more, c d·4a/5. With
    # a + b + c = 1: 3a + d·a = 1, a = 1/3.85, b = 1.17/3.85, c = 1.68/3.85. Relative influence:
    # (rank - base) × n = 0, 3·0.17/3.85, 3·0.68/3.85
    assertDataFrameEqual(result.ranks, spark.createDataFrame(
        [("a", 1 / 3.85, 0.0), ("b", 1.17 / 3.85, 0.51 / 3.85), ("c", 1.68 / 3.85, 2.04 / 3.85)],
        "id STRING, influence DOUBLE, relative_influence DOUBLE"), rtol=0, atol=1e-7)


def test_stops_at_max_iterations_and_reports_residual(spark):
    _, result = ours(spark, GRAPHS["random"], tolerance=1e-15, max_iterations=3)
    assert result.iterations == 3
    assert result.residual > 1e-15


def test_celebrity_in_edges_arrive_summed_once_per_source_block(spark):
    """A vertex with 10,000 in-edges must not become one giant task: each source block sends
    its mass summed per destination it reaches, so the celebrity gets one figure per block
    (per chunk of a block's packed edges, when a block's edges fill several)."""
    edges = spark.createDataFrame([(f"fan{i}", "celebrity", 1.0) for i in range(10_000)],
                                  "src STRING, dst STRING, weight DOUBLE")
    vertices = vertices_of(edges).withColumn("leak", F.lit(0.0))
    index = vertex_index(vertices, 10_001, 4, start=None).localCheckpoint()
    numbered = numbered_edges(transition(edges), index).localCheckpoint()
    ranks = index.select("block", "local", "leak", "rank").groupBy("block").applyInPandas(pack_ranks, BLOCK)
    celebrity = index.where("id = 'celebrity'").first()
    for chunk_edges in (1_000_000, 1_000):
        packed = numbered.groupBy("s_block").applyInPandas(packer(chunk_edges), PACKED).localCheckpoint()
        assert packed.count() == (4 if chunk_edges == 1_000_000 else sum(-(-r["count"] // 1_000) for r in
                                                                          numbered.groupBy("s_block").count().collect()))
        arrivals = []
        for row in sent_mass(packed, ranks).where(F.col("block") == celebrity.block).collect():
            local, mass = np.frombuffer(row.local, np.int32), np.frombuffer(row.mass, np.int64)
            assert len(np.unique(local)) == len(local), "a destination at most once per chunk"
            arrivals += [int(m) for m in mass[local == celebrity.local]]
        assert len(arrivals) == packed.count()
        # every fan passes on its whole rank 1/n: 10,000 / 10,001 of the vertex mass, in 1e-18 units
        assert sum(arrivals) == pytest.approx(10_000 / 10_001 * 1e18, rel=1e-12)


def test_the_same_bytes_however_the_graph_is_cut_into_blocks(spark):
    """One block iterated inside one task, or five blocks with a Spark job per iteration: the
    same ranks to the last bit (exact sums), the same iterations and residual."""
    edges = [(f"{name}/{s}", f"{name}/{d}", w) for name, graph in GRAPHS.items() for s, d, w in graph]
    _, whole = ours(spark, edges, tolerance=0.0, max_iterations=4)
    _, cut = ours(spark, edges, tolerance=0.0, max_iterations=4, vertices_per_block=20)
    assert (whole.blocks, cut.blocks) == (1, 5)
    assertDataFrameEqual(cut.ranks, whole.ranks, rtol=0, atol=0)
    assert (cut.iterations, cut.residual) == (whole.iterations, whole.residual) == (4, whole.residual)


def test_a_warm_start_reaches_the_same_fixed_point_in_fewer_iterations(spark):
    """Yesterday's graph, today's with a few new engagements: starting from yesterday's ranks
    ends within the tolerance of the oracle like a cold start, in fewer iterations."""
    yesterday = random_graph(1)
    today = yesterday + [("v3", "v7", 2.0), ("v11", "v2", 1.0), ("v40", "v5", 1.0)]
    # yesterday's ranks: the oracle's, which ours equal on this graph (test_matches_networkx[random])
    earlier = oracle(yesterday, sorted({n for s, d, _ in yesterday for n in (s, d)}))
    start = spark.createDataFrame(sorted(earlier.items()), "id STRING, influence DOUBLE")
    cold_ranks, cold = ours(spark, today, tolerance=1e-8)
    warm_ranks, warm = ours(spark, today, tolerance=1e-8, start=start)
    assert (cold.warm, warm.warm) == (False, True)
    assert warm.iterations < cold.iterations, (warm.iterations, cold.iterations)
    nodes = sorted({n for s, d, _ in today for n in (s, d)})
    expected = oracle(today, nodes)
    for got in (cold_ranks, warm_ranks):
        assert max(abs(got[n] - expected[n]) for n in nodes) < 1e-6


def test_a_discount_is_not_cancelled_by_normalisation(spark):
    """Edges carrying raw_weight pass on only weight / raw_weight of the source's rank: the rest
    spreads evenly. Oracle: networkx on the same graph with each source's leaked share sent to
    every vertex alike (weight leak / n on an edge to each), which is what uniform spreading is."""
    ring = [("r1", "r2", 0.15, 1.0), ("r2", "r3", 0.15, 1.0), ("r3", "r1", 0.15, 1.0), ("r1", "x", 1.0, 1.0)]
    honest = [("h1", "h2", 1.0, 1.0), ("h2", "h1", 2.0, 2.0), ("h3", "h1", 1.0, 1.0)]
    edges = ring + honest
    frame = spark.createDataFrame(edges, "src STRING, dst STRING, weight DOUBLE, raw_weight DOUBLE")
    # an L1 residual of 1e-8 leaves each rank within d/(1-d) * 1e-8 < 1e-7 of the fixed point
    got = {r.id: r.influence for r in weighted_pagerank(
        frame, damping=DAMPING, tolerance=1e-8, max_iterations=1000,
        checkpoint=lambda df: df.localCheckpoint(eager=True)).ranks.collect()}
    nodes = sorted({n for s, d, _, _ in edges for n in (s, d)})
    raw_out = {s: sum(r for s2, _, _, r in edges if s2 == s) for s, _, _, _ in edges}
    kept = {s: sum(w for s2, _, w, _ in edges if s2 == s) / raw_out[s] for s in raw_out}
    equivalent = {}
    for s, d, w, _ in edges:
        equivalent[(s, d)] = equivalent.get((s, d), 0.0) + w / raw_out[s]
    for s, share in kept.items():
        for v in nodes:
            equivalent[(s, v)] = equivalent.get((s, v), 0.0) + (1.0 - share) / len(nodes)
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from((s, d, w) for (s, d), w in equivalent.items())
    expected = nx.pagerank(graph, alpha=DAMPING, weight="weight", tol=1e-13, max_iter=10_000)
    assert max(abs(got[n] - expected[n]) for n in nodes) < 1e-6
    undiscounted, _ = ours(spark, [(s, d, r) for s, d, _, r in ring] + [(s, d, w) for s, d, w, _ in honest])
    assert got["r2"] < undiscounted["r2"] * 0.8, "the ring's discount reaches the network score"
