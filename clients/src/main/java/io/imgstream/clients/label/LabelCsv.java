package io.imgstream.clients.label;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.imgstream.schemas.avro.LabelFeedback;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a CSV file of labels: a header row naming the columns {@value #IMAGE_ID_COLUMN} and {@value #LABEL_COLUMN},
 * and optionally {@value #URI_COLUMN}, {@value #SPLIT_COLUMN} (any, train, holdout) and {@value #CONFIDENCE_COLUMN}
 * (in [0, 1], default 1).
 */
public final class LabelCsv {

    /** Column of the image ids. */
    public static final String IMAGE_ID_COLUMN = "image_id";
    /** Column of the labels. */
    public static final String LABEL_COLUMN = "label";
    /** Optional column of the images' URIs. */
    public static final String URI_COLUMN = "uri";
    /** Optional column of the split hints. */
    public static final String SPLIT_COLUMN = "split";
    /** Optional column of the labelers' confidence. */
    public static final String CONFIDENCE_COLUMN = "confidence";

    private static final String DEFAULT_SPLIT = "any";
    private static final float DEFAULT_CONFIDENCE = 1.0f;

    private LabelCsv() {}

    /**
     * Reads every row of {@code csv} as a label by {@code labeler} at {@code time}.
     *
     * @throws IllegalArgumentException naming the file and line, if a row lacks an id or a label, has a bad split or
     *                                  confidence, the file is not CSV with a header row, or it has no rows
     * @throws IOException              if the file can't be read
     */
    public static List<LabelFeedback> read(Path csv, String labeler, Instant time) throws IOException {
        List<LabelFeedback> labels = new ArrayList<>();
        int line = 1;
        try (Reader reader = Files.newBufferedReader(csv);
                MappingIterator<Map<String, String>> rows = new CsvMapper()
                        .readerForMapOf(String.class)
                        .with(CsvSchema.emptySchema().withHeader())
                        .readValues(reader)) {
            while (rows.hasNext()) {
                line++;
                labels.add(label(rows.next(), labeler, time));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(csv + " line " + line + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(csv + " is not a CSV file with a header row: " + e.getMessage(), e);
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException(csv + " has no label rows");
        }
        return labels;
    }

    private static LabelFeedback label(Map<String, String> row, String labeler, Instant time) {
        String id = row.get(IMAGE_ID_COLUMN);
        String label = row.get(LABEL_COLUMN);
        if (id == null || id.isBlank() || label == null || label.isBlank()) {
            throw new IllegalArgumentException(
                    "needs an " + IMAGE_ID_COLUMN + " and a " + LABEL_COLUMN + " (the header row must name them)");
        }
        return Labels.of(
                id,
                label,
                row.get(URI_COLUMN),
                orDefault(row.get(SPLIT_COLUMN), DEFAULT_SPLIT),
                confidence(row.get(CONFIDENCE_COLUMN)),
                labeler,
                time);
    }

    /** An optional column's blank cell means its default, as a missing column does. */
    private static String orDefault(String cell, String defaultValue) {
        return cell == null || cell.isBlank() ? defaultValue : cell;
    }

    private static float confidence(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_CONFIDENCE;
        }
        try {
            return Float.parseFloat(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("confidence '" + text + "' is not a number in [0, 1]", e);
        }
    }
}
