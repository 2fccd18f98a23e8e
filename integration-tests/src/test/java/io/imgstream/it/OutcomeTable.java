package io.imgstream.it;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Counts outcomes by what was done to each input, printed as a Markdown table for the docs. */
final class OutcomeTable {

    private static final String ALL = "all";

    private final Map<String, Map<String, Integer>> counts = new TreeMap<>();

    /** Counts one input, mutated as {@code kind}, that came to {@code outcome}. */
    void add(String kind, String outcome) {
        counts.computeIfAbsent(kind, k -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
    }

    /** How many inputs came to each outcome, whatever was done to them. */
    Map<String, Integer> totals() {
        Map<String, Integer> totals = new TreeMap<>();
        counts.values().forEach(row -> row.forEach((outcome, n) -> totals.merge(outcome, n, Integer::sum)));
        return totals;
    }

    /** The table: one row per kind of mutation and one for all, each with its outcomes, most frequent first. */
    String render(String title, String kindHeader) {
        StringBuilder table = new StringBuilder(title).append('\n');
        table.append("| ").append(kindHeader).append(" | records | outcomes |\n| --- | ---: | --- |\n");
        counts.forEach((kind, row) -> table.append(row(kind, row)));
        table.append(row(ALL, totals()));
        return table.toString();
    }

    private static String row(String kind, Map<String, Integer> outcomes) {
        int records = outcomes.values().stream().mapToInt(Integer::intValue).sum();
        String cells = outcomes.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return "| " + kind + " | " + records + " | " + cells + " |\n";
    }
}
