package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fails a test when Netty's leak detector (PARANOID in this module's tests) reports a buffer that
 * was never released. Netty only logs leaks, so this hooks its leak listener.
 */
final class LeakCheck {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  static {
    try {
      Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
      f.setAccessible(true);
      @SuppressWarnings("unchecked")
      ResourceLeakDetector<ByteBuf> detector = (ResourceLeakDetector<ByteBuf>) f.get(null);
      detector.setLeakListener((resourceType, records) -> LEAKS.add(resourceType + records));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private LeakCheck() {}

  /** Call once before the test runs, so the listener is installed. */
  static void install() {
    LEAKS.clear();
  }

  /** Collects garbage, lets the detector report, and asserts nothing leaked. */
  static void assertNoLeaks() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(20);
      // The detector reports while tracking new buffers.
      for (int j = 0; j < 50; j++) {
        PooledByteBufAllocator.DEFAULT.buffer(8).release();
      }
    }
    assertThat(LEAKS).as("leaked buffers (paranoid leak detection)").isEmpty();
  }
}
