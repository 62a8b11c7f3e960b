package dev.netctl.bench.bgp;

/**
 * A BGP implementation driven as the device under test. Implementations write their config into
 * {@link DutSetup#dir()}, start the daemon and return once it accepts connections on the BGP port;
 * sessions themselves are awaited by the testers.
 */
interface Dut extends AutoCloseable {
  /** The name used on the command line and in results, e.g. {@code frr-tuned}. */
  String name();

  /**
   * Starts the DUT.
   *
   * @throws BenchException when the daemon does not start or listen in time
   */
  void start(DutSetup setup);

  /** The process whose peak RSS and CPU time are reported. */
  long pid();

  /** The last lines of the daemon's log, to explain a failed scenario. */
  String logTail();

  /**
   * How many peers the DUT reports split off their update group (a slow member served apart), or -1
   * when the DUT cannot tell.
   */
  default long splitMembers() {
    return -1;
  }

  /** Stops the DUT; idempotent. */
  @Override
  void close();
}
