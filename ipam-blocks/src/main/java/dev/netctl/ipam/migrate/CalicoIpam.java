package dev.netctl.ipam.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netctl.datastore.migrate.CalicoCrds;
import dev.netctl.datastore.migrate.DumpEntry;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts Calico's IPAM objects ({@code crd.projectcalico.org/v1} IPAMBlock, BlockAffinity,
 * IPAMHandle) into netctl's stored IPAM records, for {@link CalicoCrds}.
 *
 * <p>The models match closely (netctl's follows Calico's): a block's allocations index into its
 * attributes, the free list keeps its order, sequence numbers carry over. Differences handled here:
 * Calico's attribute is {@code {handle_id, secondary: {node, pod, namespace, ...}}} where netctl's
 * is flat; affinity states are camel-case words ({@code pendingDeletion}); a BlockAffinity's {@code
 * deleted} is the string {@code "true"} while it is being removed (kept as PENDING_DELETION).
 */
public final class CalicoIpam {
  private CalicoIpam() {}

  /** The converters, by Calico kind. */
  public static Map<String, CalicoCrds.Converter> converters() {
    Map<String, CalicoCrds.Converter> m = new LinkedHashMap<>();
    m.put(IpamStore.BLOCK_KIND, CalicoIpam::block);
    m.put(IpamStore.AFFINITY_KIND, CalicoIpam::affinity);
    m.put(IpamStore.HANDLE_KIND, CalicoIpam::handle);
    return m;
  }

  static DumpEntry block(JsonNode o, String where) {
    JsonNode spec = spec(o, where);
    Cidr cidr = cidr(spec, where);
    List<Integer> allocations = new ArrayList<>();
    for (JsonNode a : array(spec, "allocations", where)) {
      allocations.add(a.isNull() ? null : intValue(a, "allocations", where));
    }
    List<Integer> unallocated = new ArrayList<>();
    for (JsonNode u : array(spec, "unallocated", where)) {
      unallocated.add(intValue(u, "unallocated", where));
    }
    List<AllocationAttribute> attributes = new ArrayList<>();
    int i = 0;
    for (JsonNode a : spec.path("attributes")) {
      String handle = a.path("handle_id").asText(null);
      if (handle == null || handle.isBlank()) {
        throw new IllegalArgumentException(
            where
                + ": field \"spec.attributes["
                + i
                + "].handle_id\" is missing: netctl releases"
                + " every address by handle");
      }
      JsonNode sec = a.path("secondary");
      attributes.add(
          new AllocationAttribute(
              handle,
              sec.path("pod").asText(null),
              sec.path("namespace").asText(null),
              sec.path("node").asText(null)));
      i++;
    }
    Map<String, Long> seq = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = spec.path("sequenceNumberForAllocation").fields();
    while (it.hasNext()) {
      var e = it.next();
      seq.put(e.getKey(), e.getValue().asLong());
    }
    AllocationBlock b =
        new AllocationBlock(
            cidr.toString(),
            spec.path("affinity").asText(null),
            allocations,
            unallocated,
            attributes,
            spec.path("sequenceNumber").asLong(0),
            seq,
            spec.path("deleted").asBoolean(false));
    try {
      Block.of(b);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    return new DumpEntry(IpamStore.blockKey(cidr), IpamStore.encode(b));
  }

  static DumpEntry affinity(JsonNode o, String where) {
    JsonNode spec = spec(o, where);
    Cidr cidr = cidr(spec, where);
    String node = spec.path("node").asText("");
    if (node.isEmpty()) {
      throw new IllegalArgumentException(where + ": field \"spec.node\" is missing");
    }
    String stateText = spec.path("state").asText("");
    BlockAffinity.State state =
        switch (stateText) {
          case "confirmed" -> BlockAffinity.State.CONFIRMED;
          case "pending" -> BlockAffinity.State.PENDING;
          case "pendingDeletion" -> BlockAffinity.State.PENDING_DELETION;
          default ->
              throw new IllegalArgumentException(
                  where
                      + ": field \"spec.state\" is \""
                      + stateText
                      + "\", must be confirmed, pending or pendingDeletion");
        };
    if ("true".equals(spec.path("deleted").asText())) state = BlockAffinity.State.PENDING_DELETION;
    BlockAffinity a = new BlockAffinity(node, cidr.toString(), state);
    return new DumpEntry(IpamStore.affinityKey(node, cidr), IpamStore.encode(a));
  }

  static DumpEntry handle(JsonNode o, String where) {
    JsonNode spec = spec(o, where);
    String id = spec.path("handleID").asText("");
    if (id.isEmpty()) {
      throw new IllegalArgumentException(where + ": field \"spec.handleID\" is missing");
    }
    Map<String, Integer> blocks = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = spec.path("block").fields();
    while (it.hasNext()) {
      var e = it.next();
      Cidr c = parseCidr(e.getKey(), "spec.block", where);
      int n = intValue(e.getValue(), "spec.block." + e.getKey(), where);
      if (n > 0) blocks.put(c.toString(), n);
    }
    return new DumpEntry(IpamStore.handleKey(id), IpamStore.encode(new IpamHandle(id, blocks)));
  }

  private static JsonNode spec(JsonNode o, String where) {
    JsonNode spec = o.path("spec");
    if (!spec.isObject()) throw new IllegalArgumentException(where + ": field \"spec\" is missing");
    return spec;
  }

  private static Cidr cidr(JsonNode spec, String where) {
    return parseCidr(spec.path("cidr").asText(""), "spec.cidr", where);
  }

  private static Cidr parseCidr(String text, String field, String where) {
    try {
      return Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where + ": field \"" + field + "\" value \"" + text + "\" is not a CIDR", e);
    }
  }

  private static JsonNode array(JsonNode spec, String field, String where) {
    JsonNode a = spec.path(field);
    if (!a.isArray()) {
      throw new IllegalArgumentException(where + ": field \"spec." + field + "\" must be a list");
    }
    return a;
  }

  private static int intValue(JsonNode n, String field, String where) {
    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new IllegalArgumentException(
          where + ": field \"" + field + "\" holds " + n + ", expected an integer");
    }
    return n.asInt();
  }
}
