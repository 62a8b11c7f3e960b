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

  @Test
  void nettyMakesItsOwnDirectBuffersUnlessTheUserSaidOtherwise() {
    String before = System.getProperty(Netctl.NETTY_REFLECTION);
    try {
      System.clearProperty(Netctl.NETTY_REFLECTION);
      Netctl.setDefaultProperties();
      assertThat(System.getProperty(Netctl.NETTY_REFLECTION)).isEqualTo("true");

      System.setProperty(Netctl.NETTY_REFLECTION, "false");
      Netctl.setDefaultProperties();
      assertThat(System.getProperty(Netctl.NETTY_REFLECTION)).isEqualTo("false");
    } finally {
      restore(Netctl.NETTY_REFLECTION, before);
    }
  }

  @Test
  void loggingIsOneLinePerRecordUnlessTheUserConfiguredIt() {
    String file = System.getProperty(Netctl.LOG_CONFIG_FILE);
    String cls = System.getProperty(Netctl.LOG_CONFIG_CLASS);
    try {
      System.clearProperty(Netctl.LOG_CONFIG_FILE);
      System.clearProperty(Netctl.LOG_CONFIG_CLASS);
      Netctl.setDefaultProperties();
      assertThat(System.getProperty(Netctl.LOG_CONFIG_CLASS)).isEqualTo(LogSetup.class.getName());

      System.clearProperty(Netctl.LOG_CONFIG_CLASS);
      System.setProperty(Netctl.LOG_CONFIG_FILE, "/etc/mine.properties");
      Netctl.setDefaultProperties();
      assertThat(System.getProperty(Netctl.LOG_CONFIG_CLASS)).as("the user's file wins").isNull();
    } finally {
      restore(Netctl.LOG_CONFIG_FILE, file);
      restore(Netctl.LOG_CONFIG_CLASS, cls);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) System.clearProperty(key);
    else System.setProperty(key, value);
  }
}
