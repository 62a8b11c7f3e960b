package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetctlDefaultPropertiesTest {

  @Test
  void nettysFlightRecorderEventsAreOffUnlessTheUserAskedForThem() {
    assertDefaultUnlessSet(Netctl.NETTY_JFR, "false", "true");
  }

  @Test
  void nettyMakesItsOwnDirectBuffersUnlessTheUserSaidOtherwise() {
    assertDefaultUnlessSet(Netctl.NETTY_REFLECTION, "true", "false");
  }

  // Unset, the property gets the default; set by the user to the other value, it keeps that.
  private static void assertDefaultUnlessSet(String key, String byDefault, String users) {
    String before = System.getProperty(key);
    try {
      System.clearProperty(key);
      Netctl.setDefaultProperties();
      assertThat(System.getProperty(key)).isEqualTo(byDefault);

      System.setProperty(key, users);
      Netctl.setDefaultProperties();
      assertThat(System.getProperty(key)).isEqualTo(users);
    } finally {
      restore(key, before);
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
