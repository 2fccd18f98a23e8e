package io.imgstream.training.fit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Labeled images laid out one folder per class, as Keras's {@code flow_from_directory} reads them: either {@code
 * train/<class>/}, {@code validation/<class>/} and optionally {@code test/<class>/} under one root, or only {@code
 * <class>/} folders, split into training and validation by a seeded, per-class draw.
 *
 * @param classes    class names, the training folders' names in sorted order
 * @param train      the training images
 * @param validation the images early stopping and the learning-rate schedule watch
 * @param test       images never trained or tuned on, if the tree has them
 */
public record FolderDataset(List<String> classes, Split train, Split validation, Optional<Split> test) {

    /** Image files are recognised by these extensions; everything else in a class folder is ignored. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp");

    private static final String TRAIN = "train";
    private static final List<String> VALIDATION = List.of("validation", "val");
    private static final String TEST = "test";
    private static final int PERCENT = 100;

    public FolderDataset {
        classes = List.copyOf(classes);
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(test, "test");
    }

    /**
     * Files and their class indices.
     *
     * @param files  image files
     * @param labels the class index of each file
     */
    public record Split(List<Path> files, int[] labels) {

        public Split {
            files = List.copyOf(files);
            labels = labels.clone();
            if (files.size() != labels.length) {
                throw new IllegalArgumentException(files.size() + " files but " + labels.length + " labels");
            }
        }

        /** How many images. */
        public int size() {
            return files.size();
        }

        /** Images per class, indexed like the classes. */
        public int[] countsPerClass(int classes) {
            int[] counts = new int[classes];
            for (int label : labels) {
                counts[label]++;
            }
            return counts;
        }
    }

    /**
     * Reads a tree.
     *
     * @param root              {@code train/} + {@code validation/} (+ {@code test/}), or class folders
     * @param validationPercent for a tree of class folders only: the share of each class held out for validation
     * @param seed              seed of that split
     * @throws IllegalArgumentException naming what is missing: fewer than two classes, a class without images, a
     *                                  validation or test class the training set lacks
     */
    public static FolderDataset read(Path root, int validationPercent, long seed) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + " is not a directory of class folders");
        }
        Path train = root.resolve(TRAIN);
        if (Files.isDirectory(train)) {
            Path validation = VALIDATION.stream()
                    .map(root::resolve)
                    .filter(Files::isDirectory)
                    .findFirst()
                    .orElseThrow(() ->
                            new IllegalArgumentException(root + " has train/ but no validation/ (or val/) beside it"));
            List<String> classes = classFolders(train);
            Path test = root.resolve(TEST);
            return new FolderDataset(
                    classes,
                    split(train, classes, true),
                    split(validation, classes, false),
                    Files.isDirectory(test) ? Optional.of(split(test, classes, false)) : Optional.empty());
        }
        if (validationPercent <= 0 || validationPercent >= PERCENT) {
            throw new IllegalArgumentException(
                    "validation share must be between 1 and 99 percent, was " + validationPercent);
        }
        List<String> classes = classFolders(root);
        List<Path> trainFiles = new ArrayList<>();
        List<Integer> trainLabels = new ArrayList<>();
        List<Path> validationFiles = new ArrayList<>();
        List<Integer> validationLabels = new ArrayList<>();
        Random random = new Random(seed);
        for (int c = 0; c < classes.size(); c++) {
            List<Path> files = images(root.resolve(classes.get(c)));
            if (files.size() < 2) {
                throw new IllegalArgumentException("class '" + classes.get(c) + "' has " + files.size()
                        + " image(s); a split needs at least 2 (one to train on, one to validate with)");
            }
            Collections.shuffle(files, random);
            int held = Math.max(1, files.size() * validationPercent / PERCENT);
            for (int i = 0; i < files.size(); i++) {
                (i < held ? validationFiles : trainFiles).add(files.get(i));
                (i < held ? validationLabels : trainLabels).add(c);
            }
        }
        return new FolderDataset(
                classes,
                new Split(
                        trainFiles,
                        trainLabels.stream().mapToInt(Integer::intValue).toArray()),
                new Split(
                        validationFiles,
                        validationLabels.stream().mapToInt(Integer::intValue).toArray()),
                Optional.empty());
    }

    private static List<String> classFolders(Path dir) throws IOException {
        List<String> classes;
        try (Stream<Path> entries = Files.list(dir)) {
            classes = entries.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .sorted()
                    .toList();
        }
        if (classes.size() < 2) {
            throw new IllegalArgumentException(
                    dir + " has " + classes.size() + " class folder(s); a classifier needs at least two");
        }
        return classes;
    }

    private static Split split(Path dir, List<String> classes, boolean everyClass) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String folder : classFolders(dir)) {
            if (!classes.contains(folder)) {
                throw new IllegalArgumentException(dir.resolve(folder) + " is a class the training set does not have"
                        + " (training classes: " + classes + ")");
            }
        }
        for (int c = 0; c < classes.size(); c++) {
            Path folder = dir.resolve(classes.get(c));
            List<Path> images = Files.isDirectory(folder) ? images(folder) : List.of();
            if (everyClass && images.isEmpty()) {
                throw new IllegalArgumentException(folder + " holds no images (" + EXTENSIONS + ")");
            }
            for (Path image : images) {
                files.add(image);
                labels.add(c);
            }
        }
        return new Split(files, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<Path> images(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return new ArrayList<>(entries.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> EXTENSIONS.contains(extension(p)))
                    .sorted()
                    .toList());
        }
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
