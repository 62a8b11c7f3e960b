package dev.netctl.datastore.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SelectorTest {

  private static final Map<String, String> RR = Map.of("role", "rr", "rack", "r1");
  private static final Map<String, String> WORKER = Map.of("role", "worker", "rack", "r2");
  private static final Map<String, String> NONE = Map.of();

  @Test
  void primitivesFollowCalicoSemantics() {
    assertThat(Selector.parse("all()").matches(NONE)).isTrue();
    assertThat(Selector.parse("").matches(NONE)).as("blank selects all").isTrue();
    assertThat(Selector.parse("has(role)").matches(RR)).isTrue();
    assertThat(Selector.parse("has(role)").matches(NONE)).isFalse();
    assertThat(Selector.parse("!has(role)").matches(NONE)).isTrue();
    assertThat(Selector.parse("role == 'rr'").matches(RR)).isTrue();
    assertThat(Selector.parse("role == \"rr\"").matches(WORKER)).isFalse();
    assertThat(Selector.parse("role == 'rr'").matches(NONE)).isFalse();
    assertThat(Selector.parse("role != 'rr'").matches(WORKER)).isTrue();
    assertThat(Selector.parse("role != 'rr'").matches(RR)).isFalse();
    assertThat(Selector.parse("role != 'rr'").matches(NONE))
        .as("!= also selects objects without the label")
        .isTrue();
    assertThat(Selector.parse("rack in {'r1', 'r3'}").matches(RR)).isTrue();
    assertThat(Selector.parse("rack in {'r1', 'r3'}").matches(WORKER)).isFalse();
    assertThat(Selector.parse("rack in {'r1'}").matches(NONE)).isFalse();
    assertThat(Selector.parse("rack not in {'r1'}").matches(WORKER)).isTrue();
    assertThat(Selector.parse("rack not in {'r1'}").matches(RR)).isFalse();
    assertThat(Selector.parse("rack not in {'r1'}").matches(NONE))
        .as("not in also selects objects without the label")
        .isTrue();
    assertThat(Selector.parse("rack in {}").matches(RR)).isFalse();
    Map<String, String> zone = Map.of("zone", "eu-west-1a");
    assertThat(Selector.parse("zone contains 'west'").matches(zone)).isTrue();
    assertThat(Selector.parse("zone contains 'east'").matches(zone)).isFalse();
    assertThat(Selector.parse("zone starts with 'eu-'").matches(zone)).isTrue();
    assertThat(Selector.parse("zone starts with 'us-'").matches(zone)).isFalse();
    assertThat(Selector.parse("zone ends with '1a'").matches(zone)).isTrue();
    assertThat(Selector.parse("zone ends with '1b'").matches(zone)).isFalse();
    assertThat(Selector.parse("zone contains ''").matches(NONE))
        .as("string operators need the label")
        .isFalse();
  }

  @Test
  void andBindsTighterThanOrAndParenthesesOverride() {
    Selector s = Selector.parse("role == 'x' && rack == 'r1' || role == 'rr'");
    assertThat(s.matches(RR)).isTrue();
    assertThat(s).isInstanceOf(Selector.Or.class);
    Selector p = Selector.parse("role == 'x' && (rack == 'r1' || role == 'rr')");
    assertThat(p.matches(RR)).isFalse();
    assertThat(p).isInstanceOf(Selector.And.class);
    assertThat(Selector.parse("!(role == 'rr' || has(gpu))").matches(WORKER)).isTrue();
  }

  @Test
  void globalParsesMatchesEverythingOnItsOwnAndIsFoundAnywhere() {
    // Calico's parser: global() alone selects everything; its meaning (no namespace) comes from
    // the rule's namespaceSelector, the one place validation lets it be
    Selector g = Selector.parse(" global() ");
    assertThat(g).isInstanceOf(Selector.Global.class);
    assertThat(g.matches(NONE)).isTrue();
    assertThat(g.matches(RR)).isTrue();
    assertThat(g.toString()).isEqualTo("global()");
    assertThat(g.mentionsGlobal()).isTrue();
    assertThat(Selector.parse("has(a) || !(global() && has(b))").mentionsGlobal()).isTrue();
    assertThat(Selector.parse("all() && global == 'x'").mentionsGlobal())
        .as("a label called global is no global()")
        .isFalse();
  }

  @Test
  void toStringIsCanonical() {
    assertThat(Selector.parse("  role=='rr'&&(rack!='r1'||!has( edge ))").toString())
        .isEqualTo("role == \"rr\" && (rack != \"r1\" || !has(edge))");
    assertThat(Selector.parse("a in {'z','y','z'}").toString()).isEqualTo("a in {\"y\", \"z\"}");
    assertThat(Selector.parse("a == 'say \"hi\"'").toString()).isEqualTo("a == 'say \"hi\"'");
    assertThat(Selector.parse("((has(a)))").toString()).isEqualTo("has(a)");
    assertThat(Selector.parse("!(has(a) && has(b))").toString()).isEqualTo("!(has(a) && has(b))");
  }

  @Test
  void keywordsAreStillUsableAsLabelKeys() {
    assertThat(Selector.parse("has == 'x' && in in {'y'} && not not in {'z'} && all != 'w'"))
        .hasToString("has == \"x\" && in in {\"y\"} && not not in {\"z\"} && all != \"w\"");
    assertThat(Selector.parse("inner == 'x'")).isEqualTo(new Selector.Equals("inner", "x"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "a == | 5 | expected a quoted value",
        "a = 'b' | 3 | expected '==', '!=', 'in', 'not in', 'contains', 'starts with' or 'ends with' after label key 'a'",
        "a starts 'b' | 10 | expected 'with' after 'starts'",
        "a ends 'b' | 8 | expected 'with' after 'ends'",
        "has(a | 6 | expected ')' after the label key",
        "has() | 5 | expected a label key",
        "a == 'b | 6 | unterminated quoted value",
        "a in {'x' 'y'} | 11 | expected ',' or '}'",
        "a in 'x' | 6 | expected '{'",
        "a not 'x' | 7 | expected 'in' after 'not'",
        "(a == 'b' | 10 | expected ')'",
        "a == 'b' b == 'c' | 10 | expected '&&', '||' or the end of the selector",
        "&& a | 1 | expected a label key, '!', '(', 'all()', 'global()' or 'has('",
        "global( | 8 | expected ')' after 'global('",
        "a == 'b' && | 12 | expected a label key",
        "all( | 5 | expected ')' after 'all('",
        "! | 2 | expected a label key",
        "a == 'b' & c == 'd' | 10 | expected '&&', '||' or the end",
      })
  void parseErrorsGiveColumnAndExpectation(String text, int column, String expected) {
    assertThatThrownBy(() -> Selector.parse(text))
        .isInstanceOf(SelectorException.class)
        .hasMessageStartingWith("selector \"" + text + "\" column " + column + ": ")
        .hasMessageContaining(expected)
        .satisfies(e -> assertThat(((SelectorException) e).column()).isEqualTo(column));
  }

  @Test
  void exampleFromTheSpecificationReadsNaturally() {
    assertThatThrownBy(() -> Selector.parse("a == "))
        .hasMessage("selector \"a == \" column 6: expected a quoted value");
  }

  @Test
  void absurdNestingIsRejectedNotAStackOverflow() {
    String deep = "(".repeat(5000) + "has(a)" + ")".repeat(5000);
    assertThatThrownBy(() -> Selector.parse(deep))
        .isInstanceOf(SelectorException.class)
        .hasMessageContaining("nesting deeper than");
  }

  // ------------------------------------------------------------ randomized

  private static final String[] KEYS = {
    "a", "b", "app.kubernetes.io/name", "x-y_z", "has", "in", "contains", "ends"
  };
  private static final String[] VALUES = {"", "v1", "v 2", "it's", "say \"hi\"", "a,b", "}", "&&"};

  /** A random expression as text plus an independent reference evaluation of it. */
  private record Gen(String text, Predicate<Map<String, String>> reference) {}

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 2026, 0xC0FFEE})
  void randomSelectorsMatchAReferenceAndRoundTripThroughToString(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 300; i++) {
      Gen g = gen(rnd, 4);
      String ctx = "seed " + seed + " case " + i + ": " + g.text();
      Selector s = Selector.parse(g.text());
      Selector again = Selector.parse(s.toString());
      assertThat(again).as(ctx).isEqualTo(s);
      assertThat(again.toString()).as(ctx).isEqualTo(s.toString());
      for (int j = 0; j < 20; j++) {
        Map<String, String> labels = labels(rnd);
        assertThat(s.matches(labels))
            .as(ctx + " against " + labels)
            .isEqualTo(g.reference().test(labels));
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 8, 9})
  void randomSyntaxTreesRoundTripThroughToString(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 500; i++) {
      Selector s = tree(rnd, 4);
      assertThat(Selector.parse(s.toString()))
          .as("seed " + seed + " case " + i + ": " + s)
          .isEqualTo(s);
    }
  }

  private static final String[] TOKENS = {
    "a",
    "b",
    " ",
    "==",
    "!=",
    "!",
    "(",
    ")",
    "{",
    "}",
    ",",
    "'x'",
    "\"y\"",
    "'",
    "\"",
    "in",
    "not",
    "has",
    "all",
    "()",
    "&&",
    "||",
    "&",
    "|",
    "contains",
    "starts",
    "ends",
    "with",
    "=",
    "é"
  };

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {101, 102, 103})
  void arbitraryInputParsesOrFailsWithAColumnInsideTheText(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int parsed = 0;
    for (int i = 0; i < 3000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = rnd.nextInt(12);
      for (int t = 0; t < n; t++) sb.append(TOKENS[rnd.nextInt(TOKENS.length)]);
      String text = sb.toString();
      try {
        Selector s = Selector.parse(text);
        parsed++;
        assertThat(Selector.parse(s.toString())).as("seed %d: %s", seed, text).isEqualTo(s);
      } catch (SelectorException e) {
        assertThat(e.column()).as("seed %d: %s", seed, text).isBetween(1, text.length() + 1);
        assertThat(e.selector()).isEqualTo(text);
      }
    }
    assertThat(parsed).as("seed %d: some random inputs are valid selectors", seed).isPositive();
  }

  private static Gen gen(SplittableRandom rnd, int depth) {
    int pick = depth == 0 ? rnd.nextInt(9) : rnd.nextInt(13);
    String k = KEYS[rnd.nextInt(KEYS.length)];
    String v = VALUES[rnd.nextInt(VALUES.length)];
    return switch (pick) {
      case 0 -> new Gen(sp(rnd) + "all(" + sp(rnd) + ")", l -> true);
      case 6 ->
          new Gen(k + " contains " + q(rnd, v), l -> l.containsKey(k) && l.get(k).indexOf(v) >= 0);
      case 7 ->
          new Gen(
              k + " starts  with " + q(rnd, v),
              l -> l.containsKey(k) && l.get(k).regionMatches(0, v, 0, v.length()));
      case 8 ->
          new Gen(
              k + "\tends with" + sp(rnd) + q(rnd, v),
              l ->
                  l.containsKey(k)
                      && l.get(k).length() >= v.length()
                      && l.get(k).substring(l.get(k).length() - v.length()).equals(v));
      case 1 -> new Gen("has(" + sp(rnd) + k + sp(rnd) + ")", l -> l.containsKey(k));
      case 2 -> new Gen(k + sp(rnd) + "==" + sp(rnd) + q(rnd, v), l -> v.equals(l.get(k)));
      case 3 -> new Gen(k + sp(rnd) + "!=" + sp(rnd) + q(rnd, v), l -> !v.equals(l.get(k)));
      case 4, 5 -> {
        List<String> set = new ArrayList<>();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) set.add(VALUES[rnd.nextInt(VALUES.length)]);
        String text =
            "{" + String.join("," + sp(rnd), set.stream().map(x -> q(rnd, x)).toList()) + "}";
        yield pick == 4
            ? new Gen(k + " in " + text, l -> l.containsKey(k) && set.contains(l.get(k)))
            : new Gen(k + " not in " + text, l -> !l.containsKey(k) || !set.contains(l.get(k)));
      }
      case 9 -> {
        Gen inner = gen(rnd, depth - 1);
        yield new Gen("!" + sp(rnd) + "(" + inner.text() + ")", l -> !inner.reference().test(l));
      }
      case 10 -> {
        Gen inner = gen(rnd, depth - 1);
        yield new Gen("(" + sp(rnd) + inner.text() + sp(rnd) + ")", inner.reference());
      }
      case 11 -> {
        Gen a = gen(rnd, depth - 1);
        Gen b = gen(rnd, depth - 1);
        yield new Gen(
            "(" + a.text() + ")" + sp(rnd) + "&&" + sp(rnd) + "(" + b.text() + ")",
            l -> a.reference().test(l) && b.reference().test(l));
      }
      default -> {
        Gen a = gen(rnd, depth - 1);
        Gen b = gen(rnd, depth - 1);
        yield new Gen(
            a.text() + sp(rnd) + "||" + sp(rnd) + "(" + b.text() + ")",
            l -> a.reference().test(l) || b.reference().test(l));
      }
    };
  }

  private static Selector tree(SplittableRandom rnd, int depth) {
    String k = KEYS[rnd.nextInt(KEYS.length)];
    String v = VALUES[rnd.nextInt(VALUES.length)];
    int pick = depth == 0 ? rnd.nextInt(9) : rnd.nextInt(12);
    return switch (pick) {
      case 0 -> Selector.ALL;
      case 1 -> new Selector.Has(k);
      case 2 -> new Selector.Equals(k, v);
      case 3 -> new Selector.NotEquals(k, v);
      case 4 -> new Selector.In(k, List.of(v, VALUES[rnd.nextInt(VALUES.length)]));
      case 5 -> new Selector.NotIn(k, List.of(v));
      case 6 -> new Selector.Contains(k, v);
      case 7 -> new Selector.StartsWith(k, v);
      case 8 -> new Selector.EndsWith(k, v);
      case 9 -> new Selector.Not(tree(rnd, depth - 1));
      case 10 -> new Selector.And(operands(rnd, depth));
      default -> new Selector.Or(operands(rnd, depth));
    };
  }

  private static List<Selector> operands(SplittableRandom rnd, int depth) {
    List<Selector> ops = new ArrayList<>();
    int n = 2 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) ops.add(tree(rnd, depth - 1));
    return ops;
  }

  private static Map<String, String> labels(SplittableRandom rnd) {
    Map<String, String> m = new HashMap<>();
    for (String k : KEYS) {
      if (rnd.nextBoolean()) m.put(k, VALUES[rnd.nextInt(VALUES.length)]);
    }
    return m;
  }

  private static String sp(SplittableRandom rnd) {
    return switch (rnd.nextInt(4)) {
      case 0 -> " ";
      case 1 -> "  \t";
      default -> "";
    };
  }

  /** Quotes with a random style that the value allows. */
  private static String q(SplittableRandom rnd, String v) {
    boolean single = v.contains("\"") || (!v.contains("'") && rnd.nextBoolean());
    return single ? "'" + v + "'" : "\"" + v + "\"";
  }
}
