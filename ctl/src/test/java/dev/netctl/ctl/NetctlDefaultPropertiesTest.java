package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetctlDefaultPropertiesTest {
  // Every property setDefaultProperties may set, as the test JVM had them: restored after each
  // test, so that no default set here reaches another test class.
  private static final List<String> TOUCHED =
      List.of(
          Netctl.NETTY_JFR,
          Netctl.NETTY_REFLECTION,
          Netctl.LOG_CONFIG_FILE,
          Netctl.LOG_CONFIG_CLASS);
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void save() {
    for (String key : TOUCHED) saved.put(key, System.getProperty(key));
  }

  @AfterEach
  void restoreAll() {
    saved.forEach(NetctlDefaultPropertiesTest::restore);
  }

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
    System.clearProperty(key);
    Netctl.setDefaultProperties();
    assertThat(System.getProperty(key)).isEqualTo(byDefault);

    System.setProperty(key, users);
    Netctl.setDefaultProperties();
    assertThat(System.getProperty(key)).isEqualTo(users);
  }

  @Test
  void loggingIsOneLinePerRecordUnlessTheUserConfiguredIt() {
    System.clearProperty(Netctl.LOG_CONFIG_FILE);
    System.clearProperty(Netctl.LOG_CONFIG_CLASS);
    Netctl.setDefaultProperties();
    assertThat(System.getProperty(Netctl.LOG_CONFIG_CLASS)).isEqualTo(LogSetup.class.getName());

    System.clearProperty(Netctl.LOG_CONFIG_CLASS);
    System.setProperty(Netctl.LOG_CONFIG_FILE, "/etc/mine.properties");
    Netctl.setDefaultProperties();
    assertThat(System.getProperty(Netctl.LOG_CONFIG_CLASS)).as("the user's file wins").isNull();
  }

  private static void restore(String key, String value) {
    if (value == null) System.clearProperty(key);
    else System.setProperty(key, value);
  }
}
