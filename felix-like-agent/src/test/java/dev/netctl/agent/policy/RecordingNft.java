package dev.netctl.agent.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@link NftCommand} that records scripts (element updates also apart) and refuses those
 * containing {@link #refuse}, or every element update while {@link #refuseElements}; a transaction
 * containing {@link #unknown} is recorded (as if applied) but answered with an unknown outcome.
 */
final class RecordingNft implements NftCommand {
  final List<String> scripts = new ArrayList<>();
  final List<List<ElementDelta>> elementUpdates = new ArrayList<>();
  String table;
  String refuse;
  boolean refuseElements;
  String unknown;
  int checks;

  @Override
  public void apply(NftTransaction tx) {
    String text = tx.text();
    if (unknown != null && text.contains(unknown)) {
      scripts.add(text);
      throw new OutcomeUnknownException("netlink recv: errno 5 after the batch was sent");
    }
    run(text);
  }

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
    checks++;
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
