package dev.netctl.agent.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@link NftCommand} that records scripts (element updates also apart) and refuses those
 * containing {@link #refuse}, or every element update while {@link #refuseElements}.
 */
final class RecordingNft implements NftCommand {
  final List<String> scripts = new ArrayList<>();
  final List<List<ElementDelta>> elementUpdates = new ArrayList<>();
  String table;
  String refuse;
  boolean refuseElements;

  @Override
  public void updateElements(String family, String name, List<ElementDelta> deltas) {
    if (refuseElements) throw new NftException("netlink: the kernel refused (errno 2)");
    elementUpdates.add(deltas);
    run(NftCommand.elementScript(family, name, deltas));
  }

  @Override
  public void run(String script) {
    if (refuse != null && script.contains(refuse))
      throw new NftException("Error: Could not process rule: Invalid argument");
    scripts.add(script);
  }

  @Override
  public void check(String script) {
    if (refuse != null && script.contains(refuse))
      throw new NftException("Error: Could not process rule: Invalid argument");
  }

  @Override
  public String listTableJson(String family, String name) {
    return table;
  }

  String last() {
    return scripts.getLast();
  }
}
