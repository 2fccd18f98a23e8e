package io.imgstream.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Renders the whole {@code imgstream} command tree as Markdown, the body of {@code docs/cli.md}, so the CLI
 * reference is read from the picocli annotations instead of restated by hand.
 *
 * <p>Commands come depth-first in the order their parents declare them. Each gets a {@code ## imgstream x y}
 * heading, its description, its synopsis and a table of its parameters and options with their defaults. Options a
 * command inherits from its parent ({@code --verbose}) appear only at the command that declares them. The output
 * depends on the annotations only, not on the machine, so the committed copy can be compared with it.
 */
public final class CliReference {

    /** Width the synopses wrap at; wider than a terminal's 80 because a code block scrolls. */
    private static final int SYNOPSIS_WIDTH = 110;

    private CliReference() {}

    /** The reference of {@link ImgstreamCommand} and every command below it. */
    public static String markdown() {
        return markdown(new CommandLine(new ImgstreamCommand()));
    }

    /** The reference of {@code root} and every command below it. */
    static String markdown(CommandLine root) {
        StringBuilder text = new StringBuilder();
        for (CommandLine command : depthFirst(root)) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            appendCommand(text, command.getCommandSpec());
        }
        return text.toString();
    }

    private static List<CommandLine> depthFirst(CommandLine command) {
        List<CommandLine> commands = new ArrayList<>();
        commands.add(command);
        for (CommandLine sub : distinctSubcommands(command)) {
            commands.addAll(depthFirst(sub));
        }
        return commands;
    }

    /** Picocli maps every alias of a subcommand to the same instance; each should be rendered once. */
    private static Set<CommandLine> distinctSubcommands(CommandLine command) {
        return new LinkedHashSet<>(command.getSubcommands().values());
    }

    private static void appendCommand(StringBuilder text, CommandSpec spec) {
        text.append("## ").append(spec.qualifiedName()).append("\n\n");
        for (String paragraph : spec.usageMessage().description()) {
            text.append(escape(format(paragraph))).append("\n\n");
        }
        text.append("```text\n").append(synopsis(spec)).append("\n```\n");
        appendSubcommands(text, spec);
        appendArguments(text, spec);
        appendExitCodes(text, spec);
    }

    private static String synopsis(CommandSpec spec) {
        spec.usageMessage().width(SYNOPSIS_WIDTH);
        Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        // Picocli pads the wrapped lines and ends with a line break; the code block brings its own.
        return help.synopsis(0).lines().map(String::stripTrailing).collect(Collectors.joining("\n"));
    }

    private static void appendSubcommands(StringBuilder text, CommandSpec spec) {
        Set<CommandLine> subcommands = distinctSubcommands(spec.commandLine());
        if (subcommands.isEmpty()) {
            return;
        }
        text.append("\n| command | what it does |\n| --- | --- |\n");
        for (CommandLine sub : subcommands) {
            CommandSpec subSpec = sub.getCommandSpec();
            String[] description = subSpec.usageMessage().description();
            text.append("| [`")
                    .append(subSpec.qualifiedName())
                    .append("`](#")
                    .append(anchor(subSpec))
                    .append(") | ")
                    .append(description.length == 0 ? "" : cell(format(description[0])))
                    .append(" |\n");
        }
    }

    /** GitHub's heading anchor: lower case, spaces as hyphens (command names hold nothing else to drop). */
    private static String anchor(CommandSpec spec) {
        return spec.qualifiedName().toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    private static void appendArguments(StringBuilder text, CommandSpec spec) {
        List<ArgSpec> arguments = new ArrayList<>(spec.positionalParameters());
        for (OptionSpec option : spec.options()) {
            // An inherited option (--verbose) is listed once, at the command that declares it.
            if (!option.inherited()) {
                arguments.add(option);
            }
        }
        arguments.removeIf(ArgSpec::hidden);
        if (arguments.isEmpty()) {
            return;
        }
        text.append("\n| parameter or option | default | description |\n| --- | --- | --- |\n");
        for (ArgSpec argument : arguments) {
            text.append("| ")
                    .append(codeCell(label(argument)))
                    .append(" | ")
                    .append(codeCell(defaultOf(argument)))
                    .append(" | ")
                    .append(cell(format(String.join(" ", argument.renderedDescription()))))
                    .append(" |\n");
        }
    }

    private static String name(ArgSpec argument) {
        return "`" + (argument instanceof OptionSpec option ? option.longestName() : argument.paramLabel()) + "`";
    }

    private static String label(ArgSpec argument) {
        if (argument instanceof PositionalParamSpec parameter) {
            return "`" + parameter.paramLabel() + "`" + (parameter.arity().max() > 1 ? "..." : "");
        }
        OptionSpec option = (OptionSpec) argument;
        String names =
                Arrays.stream(option.names()).map(name -> "`" + name + "`").collect(Collectors.joining(", "));
        return option.arity().max() == 0 ? names : names + " `" + option.paramLabel() + "`";
    }

    /**
     * The declared default, uninterpolated, so that {@code ${sys:user.name}} stays a variable instead of becoming the
     * name of whoever generated the page. A field's initial value is not shown: for flags it is just {@code false}.
     */
    private static String defaultOf(ArgSpec argument) {
        ArgGroupSpec group = argument.group();
        if (group != null && group.exclusive() && group.multiplicity().min() > 0) {
            // Picocli marks each member of a required either-or group required; only one of them is.
            return "(required: one of "
                    + group.args().stream().map(CliReference::name).collect(Collectors.joining(", ")) + ")";
        }
        if (argument.required()) {
            return "(required)";
        }
        if (argument.defaultValue() == null) {
            return "";
        }
        return "`" + argument.defaultValueString(false) + "`";
    }

    private static void appendExitCodes(StringBuilder text, CommandSpec spec) {
        Map<String, String> exitCodes = spec.usageMessage().exitCodeList();
        if (exitCodes.isEmpty()) {
            return;
        }
        text.append("\n| exit code | meaning |\n| ---: | --- |\n");
        exitCodes.forEach((code, meaning) -> text.append("| ")
                .append(code.strip())
                .append(" | ")
                .append(cell(meaning))
                .append(" |\n"));
    }

    /** Picocli formats descriptions as {@link String#format} patterns; of those, ours use only line breaks. */
    private static String format(String description) {
        return description.replace("%n", "\n").replace("%%", "%").strip();
    }

    /** Keeps text such as {@code <work-dir>} from being read as an HTML tag, and table cells whole. */
    private static String escape(String text) {
        return text.replace("<", "\\<").replace("|", "\\|");
    }

    /** A cell of code spans, where a backslash before {@code <} would show; a table still needs {@code \|}. */
    private static String codeCell(String text) {
        return text.replace("|", "\\|");
    }

    private static String cell(String text) {
        return escape(text).replace("\n", " ");
    }
}
