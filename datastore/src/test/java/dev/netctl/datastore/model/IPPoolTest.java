package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IPPoolTest {
  private static IPPool pool(boolean disabled) {
    IPPoolSpec spec = IPPoolSpec.of("10.244.0.0/16");
    return IPPool.of("p", disabled ? spec.withDisabled(true) : spec);
  }

  @Test
  void aPoolIsBeingDeletedOnlyWhileMarkedAndDisabled() {
    assertThat(pool(true).beingDeleted()).isFalse();
    assertThat(pool(true).markedDeleting("2026-12-07T00:00:00Z").beingDeleted()).isTrue();
    // A deletion that stopped half-way, then the pool enabled again: taken back, not retiring.
    IPPool reenabled = pool(false).markedDeleting("2026-12-07T00:00:00Z");
    assertThat(reenabled.metadata().annotations()).containsKey(IPPool.DELETING_ANNOTATION);
    assertThat(reenabled.beingDeleted()).isFalse();
  }
}
