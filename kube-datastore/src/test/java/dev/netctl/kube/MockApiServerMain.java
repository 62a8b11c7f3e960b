package dev.netctl.kube;

import java.io.IOException;

/**
 * {@link ApiServerLike} (fabric8's CRUD mock plus the API-server behaviour netctl relies on) as a
 * process of its own, for tests in modules that cannot load the mock: its Vert.x 4 server and
 * jetcd's Vert.x 5 cannot share a class path, so the ctl module's migration test (which also runs
 * etcd) starts this in a child JVM with this module's test class path.
 *
 * <p>Prints {@code PORT <n>} once listening on 127.0.0.1, serves until its stdin closes (the parent
 * exited or closed it), then stops.
 */
public final class MockApiServerMain {
  private MockApiServerMain() {}

  public static void main(String[] args) throws IOException {
    ApiServerLike server = ApiServerLike.start();
    try {
      String url = server.config().getMasterUrl();
      System.out.println("PORT " + java.net.URI.create(url).getPort());
      System.out.flush();
      while (System.in.read() >= 0) {
        // serve until the parent closes our stdin
      }
    } finally {
      server.stop();
    }
    System.exit(0);
  }
}
