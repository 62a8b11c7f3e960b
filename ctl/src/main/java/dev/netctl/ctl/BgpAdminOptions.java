package dev.netctl.ctl;

import dev.netctl.ctl.bgp.AdminAddress;
import dev.netctl.ctl.bgp.AdminClient;

/**
 * The {@code --admin} value shared by the query verbs of {@code netctl bgp}. A plain option on each
 * verb rather than a picocli mixin: a mixin under the root's inherited options duplicates them.
 */
final class BgpAdminOptions {
  private BgpAdminOptions() {}

  static AdminClient client(String admin) {
    try {
      return new AdminClient(AdminAddress.parse(admin));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "--admin \"" + admin + "\" " + e.getMessage());
    }
  }
}
