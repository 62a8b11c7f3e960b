package dev.netctl.datastore.status;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.PoolAdmission;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Records every IP pool's {@link PoolAdmission} verdict as its {@code Valid} condition. Runs in the
 * controller only while it leads, so one writer records a pool's condition (not every node racing
 * on it); the agents reach the same verdict themselves and leave the refused pool out of their
 * dataplane.
 *
 * <p>A condition is written when it differs from the last one this process wrote for the pool: a
 * new leader writes each pool once, then only changes.
 */
public final class PoolStatusController {
  private final ResourceClient client;
  private final StatusRecorder recorder;
  private final BooleanSupplier leading;
  private final Map<String, String> written = new HashMap<>(); // pool -> revision + condition

  public PoolStatusController(
      ResourceClient client, StatusRecorder recorder, BooleanSupplier leading) {
    this.client = client;
    this.recorder = recorder;
    this.leading = leading;
  }

  /**
   * One pass over the pools.
   *
   * @return how many conditions were written
   */
  public synchronized int runPass() {
    if (!leading.getAsBoolean()) {
      written.clear();
      return 0;
    }
    int count = 0;
    Set<String> present = new HashSet<>();
    for (PoolAdmission.Verdict v : PoolAdmission.judge(client.list(Kind.IP_POOL))) {
      IPPool pool = v.pool();
      present.add(pool.name());
      Condition c = v.accepted() ? Condition.accepted() : Condition.refused(v.violations());
      String mark = c.toString();
      if (mark.equals(written.get(pool.name()))) continue;
      if (!leading.getAsBoolean()) return count;
      recorder.record(pool, c);
      written.put(pool.name(), mark);
      count++;
    }
    written.keySet().retainAll(present);
    return count;
  }
}
