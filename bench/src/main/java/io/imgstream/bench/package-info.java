/**
 * The benchmarks {@code imgstream bench} runs, each reporting ratios measured in one run: the VGG16 conv base on
 * the fast path against stock DL4J and GEMM ({@link io.imgstream.bench.ModelBenchmark}), the scoring pipeline
 * against raw batched inference and batch 1 ({@link io.imgstream.bench.ScoreBenchmark}), scorer processes in one
 * group ({@link io.imgstream.bench.ScaleBenchmark}), features from image files against raw inference and a head
 * refit from cached features against recomputing them ({@link io.imgstream.bench.FeatureThroughput}), and what a
 * few labels teach a base ({@link io.imgstream.bench.TransferBenchmark}, {@link io.imgstream.bench.LayerProbe}). The
 * CLI parses their options and prints their tables.
 */
package io.imgstream.bench;
