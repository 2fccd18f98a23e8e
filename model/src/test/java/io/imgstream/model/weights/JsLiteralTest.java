package io.imgstream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Minified JavaScript literals as nsfwjs's bundles hold them, rewritten to JSON. */
class JsLiteralTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldRewriteBareKeysBooleansAndShortNumbers() throws Exception {
        String js = "{modelTopology:{keras_version:\"2.2.4\",sparse:!1,trainable:!0,"
                + "scale:.19,min:-.5,max:5.,e:1e-3,n:null,u:void 0}}";

        JsonNode json = JSON.readTree(JsLiteral.toJson(js));

        JsonNode topology = json.path("modelTopology");
        assertThat(topology.path("keras_version").asText()).isEqualTo("2.2.4");
        assertThat(topology.path("sparse").asBoolean(true)).isFalse();
        assertThat(topology.path("trainable").asBoolean(false)).isTrue();
        assertThat(topology.path("scale").asDouble()).isEqualTo(0.19);
        assertThat(topology.path("min").asDouble()).isEqualTo(-0.5);
        assertThat(topology.path("max").asDouble()).isEqualTo(5.0);
        assertThat(topology.path("e").asDouble()).isEqualTo(0.001);
        assertThat(topology.path("n").isNull()).isTrue();
        assertThat(topology.path("u").isNull()).isTrue();
    }

    @Test
    void shouldLeaveStringContentsAloneAndConvertSingleQuotes() throws Exception {
        String js = "{a:\"x:!0 .5 {\",b:'it\\'s \"q\"'}";

        JsonNode json = JSON.readTree(JsLiteral.toJson(js));

        assertThat(json.path("a").asText()).isEqualTo("x:!0 .5 {");
        assertThat(json.path("b").asText()).isEqualTo("it's \"q\"");
    }

    @Test
    void shouldFindTheEndOfALiteralInsideCode() {
        String js = "a.exports={k:\"}\",l:[1,{m:2}]}},{}]";
        int start = js.indexOf('{');

        assertThat(js.substring(start, JsLiteral.endOf(js, start))).isEqualTo("{k:\"}\",l:[1,{m:2}]}");
    }

    @Test
    void shouldRefuseCodeWhereAValueBelongs() {
        assertThatThrownBy(() -> JsLiteral.toJson("{a:foo()}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'foo'");
    }
}
