package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7386 semantics, including the cases its Appendix A lists. */
class MergePatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "{0} + {1} = {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "{'a':'b'}             | {'a':'c'}            | {'a':'c'}",
        "{'a':'b'}             | {'b':'c'}            | {'a':'b','b':'c'}",
        "{'a':'b'}             | {'a':null}           | {}",
        "{'a':'b','b':'c'}     | {'a':null}           | {'b':'c'}",
        "{'a':['b']}           | {'a':'c'}            | {'a':'c'}",
        "{'a':'c'}             | {'a':['b']}          | {'a':['b']}",
        "{'a':{'b':'c'}}       | {'a':{'b':'d','c':null}} | {'a':{'b':'d'}}",
        "{'a':[{'b':'c'}]}     | {'a':[1]}            | {'a':[1]}",
        "['a','b']             | ['c','d']            | ['c','d']",
        "{'a':'b'}             | ['c']                | ['c']",
        "{'a':'foo'}           | null                 | null",
        "{'a':'foo'}           | 'bar'                | 'bar'",
        "{'e':null}            | {'a':1}              | {'e':null,'a':1}",
        "[1,2]                 | {'a':'b','c':null}   | {'a':'b'}",
        "{}                    | {'a':{'bb':{'ccc':null}}} | {'a':{'bb':{}}}",
      })
  void mergesAsTheRfcSays(String target, String patch, String expected) throws Exception {
    JsonNode t = read(target);
    JsonNode before = t.deepCopy();
    assertThat(MergePatch.apply(t, read(patch))).isEqualTo(read(expected));
    assertThat(t).as("the target is not modified").isEqualTo(before);
  }

  private static JsonNode read(String s) throws Exception {
    return JSON.readTree(s.strip().replace('\'', '"'));
  }
}
