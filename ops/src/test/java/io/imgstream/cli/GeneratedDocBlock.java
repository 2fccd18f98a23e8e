package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A generated block of a committed Markdown page under {@code docs/}, between the lines
 * {@code <!-- BEGIN GENERATED: name -->} and {@code <!-- END GENERATED: name -->}. The tests that own a block compare
 * it with what the code generates now; with {@code -D}{@value #UPDATE_PROPERTY}{@code =true} they write the generated
 * text into the page instead, so a changed option or setting is one command away from a current page.
 */
final class GeneratedDocBlock {

    /** System property that makes {@link #assertCurrent} rewrite the block instead of comparing it. */
    static final String UPDATE_PROPERTY = "imgstream.docs.update";

    /** Tests run in the module directory ({@code ops/}); the pages sit beside it. */
    private static final Path DOCS = Path.of("..", "docs");

    private GeneratedDocBlock() {}

    /**
     * Fails, naming the command that regenerates the page, unless the block {@code name} of {@code page} (a file
     * name under {@code docs/}) holds exactly {@code generated}.
     *
     * @param test the test class, for the regeneration command in the failure message
     */
    static void assertCurrent(String page, String name, String generated, Class<?> test) throws IOException {
        Path file = DOCS.resolve(page);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String begin = "<!-- BEGIN GENERATED: " + name + " -->\n";
        String end = "<!-- END GENERATED: " + name + " -->";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        assertThat(from >= 0 && to > from)
                .as("docs/%s must hold the markers%n%s%s", page, begin, end)
                .isTrue();
        int bodyStart = from + begin.length();
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.writeString(
                    file, text.substring(0, bodyStart) + generated + text.substring(to), StandardCharsets.UTF_8);
            return;
        }
        assertThat(text.substring(bodyStart, to))
                .as(
                        "docs/%s is not current (block '%s'). Regenerate it with:%n"
                                + "mvn -B -pl ops -am test -Dtest=%s -Dsurefire.failIfNoSpecifiedTests=false "
                                + "-D%s=true%n"
                                + "and commit the page.",
                        page, name, test.getSimpleName(), UPDATE_PROPERTY)
                .isEqualTo(generated);
    }
}
