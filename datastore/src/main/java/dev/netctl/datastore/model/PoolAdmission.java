package dev.netctl.datastore.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Which IP pools the dataplane may use, decided the same way by every agent and by the controller.
 *
 * <p>netctl refuses invalid and overlapping pools when it writes them, but an object written past
 * it ({@code kubectl apply} on Kubernetes, or two creators racing) can still be stored. A pool is
 * refused when it breaks its own rules ({@link Validator#validate}: blockSize against the CIDR...)
 * or overlaps an <em>older</em> accepted pool. Older means an earlier {@code creationTimestamp},
 * then the smaller name: every reader orders the same stored pools the same way, so all nodes keep
 * the same pool, and it is the one that existed first.
 */
public final class PoolAdmission {
  private PoolAdmission() {}

  /** One pool's verdict: accepted when {@code violations} is empty. */
  public record Verdict(IPPool pool, List<Violation> violations) {
    public Verdict {
      violations = List.copyOf(violations);
    }

    public boolean accepted() {
      return violations.isEmpty();
    }
  }

  private static final Comparator<IPPool> OLDEST_FIRST =
      Comparator.comparing(
              (IPPool p) -> p.metadata().creationTimestamp(),
              Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(IPPool::name);

  /** Every pool's verdict, oldest pool first. */
  public static List<Verdict> judge(Collection<IPPool> pools) {
    List<IPPool> ordered = new ArrayList<>(pools);
    ordered.sort(OLDEST_FIRST);
    List<IPPool> accepted = new ArrayList<>();
    List<Verdict> out = new ArrayList<>();
    for (IPPool p : ordered) {
      List<Violation> violations = new ArrayList<>(Validator.validate(p));
      if (violations.isEmpty()) {
        Cidr mine = Cidr.parse(p.spec().cidr());
        for (IPPool older : accepted) {
          if (mine.overlaps(Cidr.parse(older.spec().cidr()))) {
            violations.add(
                new Violation(
                    p.kind().name(),
                    p.name(),
                    "spec.cidr",
                    p.spec().cidr(),
                    "must not overlap IPPool \""
                        + older.name()
                        + "\" ("
                        + older.spec().cidr()
                        + "), which is older"));
            break;
          }
        }
      }
      if (violations.isEmpty()) accepted.add(p);
      out.add(new Verdict(p, violations));
    }
    return out;
  }

  /** The pools the dataplane may use. */
  public static List<IPPool> accepted(Collection<IPPool> pools) {
    return judge(pools).stream().filter(Verdict::accepted).map(Verdict::pool).toList();
  }
}
