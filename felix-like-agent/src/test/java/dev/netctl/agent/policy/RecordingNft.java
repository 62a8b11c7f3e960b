package dev.netctl.agent.policy;

import java.util.ArrayList;
import java.util.List;

/** An {@link NftCommand} that records scripts and refuses those containing {@link #refuse}. */
final class RecordingNft implements NftCommand {
  final List<String> scripts = new ArrayList<>();
  String table;
  String refuse;

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
