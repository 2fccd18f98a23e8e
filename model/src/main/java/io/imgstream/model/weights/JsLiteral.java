package io.imgstream.model.weights;

/**
 * Rewrites a minified JavaScript literal (as bundlers emit JSON data) into standard JSON: bare object
 * keys get quotes, {@code !0}/{@code !1} become {@code true}/{@code false}, {@code void 0} becomes
 * {@code null}, numbers like {@code .5}, {@code -.5} or {@code 5.} get their missing zero, and
 * single-quoted strings become double-quoted. String contents are copied as they are, so a key or value
 * that looks like code stays untouched. Stateless and thread-safe.
 */
final class JsLiteral {

    private JsLiteral() {}

    /**
     * Finds the literal that starts at {@code start} (an object, array, string, number or word) and
     * returns the index just after it.
     *
     * @throws IllegalArgumentException if the literal does not end before the text does
     */
    static int endOf(String js, int start) {
        char first = js.charAt(start);
        if (first == '"' || first == '\'') {
            return endOfString(js, start);
        }
        if (first != '{' && first != '[') {
            int i = start;
            while (i < js.length() && ",}]);".indexOf(js.charAt(i)) < 0) {
                i++;
            }
            return i;
        }
        int depth = 0;
        int i = start;
        while (i < js.length()) {
            char c = js.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfString(js, i);
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
            i++;
        }
        throw new IllegalArgumentException("unbalanced JavaScript literal starting at offset " + start);
    }

    /**
     * Rewrites one JavaScript literal into JSON text.
     *
     * @throws IllegalArgumentException on an unterminated string or a token that has no JSON form
     */
    static String toJson(String js) {
        StringBuilder out = new StringBuilder(js.length() + js.length() / 8);
        int i = 0;
        int n = js.length();
        while (i < n) {
            char c = js.charAt(i);
            if (c == '"' || c == '\'') {
                int end = endOfString(js, i);
                appendString(js, i, end, out);
                i = end;
            } else if (c == '!' && i + 1 < n && (js.charAt(i + 1) == '0' || js.charAt(i + 1) == '1')) {
                out.append(js.charAt(i + 1) == '0' ? "true" : "false");
                i += 2;
            } else if (c == '.' || c == '-' || Character.isDigit(c)) {
                i = appendNumber(js, i, out);
            } else if (Character.isJavaIdentifierStart(c)) {
                int end = i;
                while (end < n && Character.isJavaIdentifierPart(js.charAt(end))) {
                    end++;
                }
                String word = js.substring(i, end);
                int next = skipSpace(js, end);
                if (next < n && js.charAt(next) == ':') {
                    out.append('"').append(word).append('"');
                } else if (word.equals("void") && js.startsWith("0", next)) {
                    out.append("null");
                    end = next + 1;
                } else if (word.equals("true") || word.equals("false") || word.equals("null")) {
                    out.append(word);
                } else {
                    throw new IllegalArgumentException(
                            "'" + word + "' at offset " + i + " is code, not a literal value");
                }
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int skipSpace(String js, int from) {
        int i = from;
        while (i < js.length() && Character.isWhitespace(js.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int endOfString(String js, int start) {
        char quote = js.charAt(start);
        int i = start + 1;
        while (i < js.length()) {
            char c = js.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated string starting at offset " + start);
    }

    private static void appendString(String js, int start, int end, StringBuilder out) {
        if (js.charAt(start) == '"') {
            out.append(js, start, end);
            return;
        }
        // Single-quoted: a bare " must be escaped in JSON, an escaped \' must lose its backslash.
        out.append('"');
        for (int i = start + 1; i < end - 1; i++) {
            char c = js.charAt(i);
            if (c == '\\' && js.charAt(i + 1) == '\'') {
                out.append('\'');
                i++;
            } else if (c == '\\') {
                out.append(c).append(js.charAt(i + 1));
                i++;
            } else if (c == '"') {
                out.append("\\\"");
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private static int appendNumber(String js, int start, StringBuilder out) {
        int i = start;
        if (js.charAt(i) == '-') {
            out.append('-');
            i++;
        }
        if (i < js.length() && js.charAt(i) == '.') {
            out.append('0');
        }
        boolean previousWasPoint = false;
        while (i < js.length() && isNumberChar(js.charAt(i))) {
            char c = js.charAt(i);
            if (previousWasPoint && !Character.isDigit(c)) {
                out.append('0');
            }
            out.append(c);
            previousWasPoint = c == '.';
            i++;
        }
        if (previousWasPoint) {
            out.append('0');
        }
        return i;
    }

    private static boolean isNumberChar(char c) {
        return Character.isDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    }
}
