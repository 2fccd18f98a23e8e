/**
 * The benchmarks {@code imgstream bench} runs, each reporting ratios measured in one run: the VGG16 conv base on
 * the fast path against stock DL4J and GEMM ({@link io.imgstream.bench.ModelBenchmark}), the scoring pipeline
 * against raw batched inference and batch 1 ({@link io.imgstream.bench.ScoreBenchmark}), scorer processes in one
 * group ({@link io.imgstream.bench.ScaleBenchmark}), and a head refit from cached features against recomputing
 * them ({@link io.imgstream.bench.RefitComparison}). The CLI parses their options and prints their tables.
 */
package io.imgstream.bench;
