package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastores;
import org.junit.jupiter.api.Test;

class WarmupTest {

  @Test
  void findsTheDatastoreSpecWhereverTheOptionIs() {
    assertThat(Warmup.datastoreSpec(args("--datastore memory get ippools"))).isEqualTo("memory");
    assertThat(Warmup.datastoreSpec(args("get ippools --datastore=embedded:/x.db")))
        .isEqualTo("embedded:/x.db");
    assertThat(Warmup.datastoreSpec(args("get ippools"))).isEqualTo(Datastores.defaultSpec());
    // A dangling option is picocli's to report; the warm-up just uses the default.
    assertThat(Warmup.datastoreSpec(args("get ippools --datastore")))
        .isEqualTo(Datastores.defaultSpec());
  }

  private static String[] args(String line) {
    return line.split(" ");
  }
}
