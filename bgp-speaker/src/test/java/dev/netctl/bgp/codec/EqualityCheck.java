package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Supplier;

/**
 * Checks a written-out {@code equals}/{@code hashCode}: two separately made equal values are equal
 * both ways and hash alike, and a value with any one field changed is unequal and hashes
 * differently, so a field left out of either method fails.
 */
public final class EqualityCheck {
  private EqualityCheck() {}

  /**
   * @param make makes a fresh value, equal every time
   * @param oneFieldChanged values that each differ from {@code make}'s in one field
   */
  public static <T> void check(Supplier<T> make, List<T> oneFieldChanged) {
    T a = make.get();
    T b = make.get();
    assertThat(b).isNotSameAs(a);
    assertThat(a.equals(b)).as("equal values: %s", a).isTrue();
    assertThat(b.equals(a)).isTrue();
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
    assertThat(a.equals(null)).isFalse();
    assertThat(a.equals(new Object())).isFalse();
    for (T other : oneFieldChanged) {
      assertThat(a.equals(other)).as("%s against %s", a, other).isFalse();
      assertThat(other.equals(a)).as("%s against %s", other, a).isFalse();
      assertThat(a.hashCode()).as("hash of %s against %s", a, other).isNotEqualTo(other.hashCode());
    }
  }
}
