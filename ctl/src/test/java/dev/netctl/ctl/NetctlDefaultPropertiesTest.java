package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetctlDefaultPropertiesTest {
  private String saved;

  @BeforeEach
  void save() {
    saved = System.getProperty(Netctl.NETTY_JFR);
  }

  @AfterEach
  void restore() {
    if (saved == null) System.clearProperty(Netctl.NETTY_JFR);
    else System.setProperty(Netctl.NETTY_JFR, saved);
  }

  @Test
  void nettysFlightRecorderEventsAreOffUnlessTheUserAskedForThem() {
    System.clearProperty(Netctl.NETTY_JFR);
    Netctl.setDefaultProperties();
    assertThat(System.getProperty(Netctl.NETTY_JFR)).isEqualTo("false");

    System.setProperty(Netctl.NETTY_JFR, "true");
    Netctl.setDefaultProperties();
    assertThat(System.getProperty(Netctl.NETTY_JFR)).isEqualTo("true");
  }
}
