package dev.netctl.ctl;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * java.util.logging's configuration in a netctl process, named by {@code
 * java.util.logging.config.class} (see {@link Netctl#setDefaultProperties}): records of level INFO
 * and above, from the agent's {@code System.Logger}s, the speaker's SLF4J loggers and the
 * libraries, go to stderr as {@link LogLine}s. The JDK runs it when java.util.logging starts: at
 * the first record, or when {@code System.exit} asks whether to log the exit. A user's own {@code
 * -Djava.util.logging.config.file} or {@code config.class} replaces it.
 */
public final class LogSetup {
  /** Configures the root logger; called by the JDK's LogManager. */
  public LogSetup() {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.INFO);
    console.setFormatter(new LogLine());
    root.addHandler(console);
    root.setLevel(Level.INFO);
  }
}
