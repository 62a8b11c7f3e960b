package dev.netctl.ctl;

import java.time.Duration;

/**
 * Which node agent runs in this process, as the shutdown hook sees it: {@code node run} starts one
 * agent after another (a FelixConfiguration change restarts it in the process), and SIGTERM may
 * come at any point of that. The hook ({@link #stop}) marks the process stopping, so no agent
 * starts after it; waits for an agent that is starting (at most {@code startWait}), since the JVM
 * would otherwise halt in the middle of its start, with nothing closing it; then closes the agent
 * that runs, if any. The closer an agent registers must be safe to run twice and, when two threads
 * run it, return only once the agent is closed: the hook's return ends the process.
 */
final class AgentLifecycle {
  private final Duration startWait;
  private boolean stopping;
  private boolean starting;
  private Runnable closer = () -> {};

  AgentLifecycle(Duration startWait) {
    this.startWait = startWait;
  }

  /** Marks an agent as starting; false when the process is stopping: then none may start. */
  synchronized boolean beginStart() {
    if (stopping) return false;
    starting = true;
    return true;
  }

  /**
   * The agent that was starting runs, and {@code closer} closes it; or, with null, it did not
   * start. Returns whether the process is stopping meanwhile (the hook waits for this call, then
   * closes it).
   */
  synchronized boolean started(Runnable closer) {
    if (closer != null) this.closer = closer;
    starting = false;
    notifyAll();
    return stopping;
  }

  /** The running agent was closed by its own thread: nothing left for the hook to close. */
  synchronized void closed() {
    closer = () -> {};
  }

  synchronized boolean stopping() {
    return stopping;
  }

  /**
   * {@code close} made safe for a closer: run once, and a second caller returns only when the first
   * has finished.
   */
  static Runnable once(Runnable close) {
    Object lock = new Object();
    boolean[] done = {false};
    return () -> {
      synchronized (lock) {
        if (done[0]) return;
        done[0] = true;
        close.run();
      }
    };
  }

  /**
   * The shutdown hook's work: no agent starts after this; one starting is waited for, at most the
   * start wait; the running one is closed. Returns once it is.
   */
  void stop() throws InterruptedException {
    Runnable c;
    synchronized (this) {
      stopping = true;
      long deadline = System.nanoTime() + startWait.toNanos();
      while (starting) {
        long left = deadline - System.nanoTime();
        if (left <= 0) break; // a start that hangs must not keep the process from ending
        wait(Math.max(1, left / 1_000_000));
      }
      c = closer;
    }
    c.run();
  }
}
