package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.model.Kind;
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

  @Test
  void findsTheKindTheCommandNames() {
    assertThat(Warmup.namedKind(args("get ippools -o yaml"))).isEqualTo(Kind.IP_POOL);
    assertThat(Warmup.namedKind(args("--datastore memory get -o yaml pool p")))
        .isEqualTo(Kind.IP_POOL);
    assertThat(Warmup.namedKind(args("delete bgppeer tor"))).isEqualTo(Kind.BGP_PEER);
    assertThat(Warmup.namedKind(args("apply -f pools.yaml"))).isNull();
    assertThat(Warmup.namedKind(args("ippools"))).isNull();
  }

  private static String[] args(String line) {
    return line.split(" ");
  }
}
