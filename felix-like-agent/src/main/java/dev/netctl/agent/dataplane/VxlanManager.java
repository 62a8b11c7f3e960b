package dev.netctl.agent.dataplane;

import dev.netctl.agent.kernel.Kernel;
import dev.netctl.agent.kernel.Neighbour;
import dev.netctl.agent.kernel.Vxlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One VXLAN device and the peer VTEPs on it. VTEPs are added before the routes that use them and
 * removed after, which is why the apply is split in {@link #applyAdds} and {@link #applyRemovals}.
 */
public final class VxlanManager {

  private final Kernel kernel;
  private final String device;
  private Vxlan wantedDevice;
  private List<Neighbour> wanted = List.of();
  private Set<Neighbour> programmed = null; // null: read the kernel first
  private Vxlan programmedDevice;
  private boolean deviceExists;

  public VxlanManager(Kernel kernel, String device) {
    this.kernel = kernel;
    this.device = device;
  }

  /** The device to have (null: none) and the VTEPs on it. */
  public void desired(Vxlan spec, List<Neighbour> vteps) {
    this.wantedDevice = spec;
    this.wanted = spec == null ? List.of() : vteps;
  }

  /** Makes the next apply re-read the kernel. */
  public void resync() {
    programmed = null;
    programmedDevice = null;
  }

  /** How many VTEPs are programmed. */
  public int vtepCount() {
    return programmed == null ? 0 : programmed.size();
  }

  /** Creates or fixes the device and adds the wanted VTEPs. */
  public List<Kernel.Failure> applyAdds() {
    if (wantedDevice == null) return List.of();
    if (!wantedDevice.equals(programmedDevice)) {
      kernel.ensureVxlan(wantedDevice);
      programmedDevice = wantedDevice;
      deviceExists = true;
    }
    if (programmed == null) programmed = new HashSet<>(kernel.neighbours(device));
    List<Neighbour> add = new ArrayList<>();
    for (Neighbour n : wanted) if (!programmed.contains(n)) add.add(n);
    if (add.isEmpty()) return List.of();
    List<Kernel.Failure> f = kernel.applyNeighbours(device, add, List.of());
    programmed.addAll(add);
    for (Kernel.Failure x : f) programmed.remove(x.item());
    return f;
  }

  /** Removes VTEPs no longer wanted, and the device when none is wanted. */
  public List<Kernel.Failure> applyRemovals() {
    if (wantedDevice == null) {
      if (deviceExists || programmedDevice != null || programmed == null) {
        if (kernel.link(device).isPresent()) kernel.deleteLink(device);
      }
      deviceExists = false;
      programmedDevice = null;
      programmed = new HashSet<>();
      return List.of();
    }
    if (programmed == null) return List.of();
    Set<Neighbour> keep = new HashSet<>(wanted);
    List<Neighbour> remove = new ArrayList<>();
    for (Neighbour n : programmed) if (!keep.contains(n)) remove.add(n);
    if (remove.isEmpty()) return List.of();
    // The FDB is keyed by MAC: a node that kept its VTEP MAC but got a new tunnel address leaves
    // an old neighbour whose MAC the new one uses. Its FDB entry stays (the new neighbour's write
    // replaced its destination in place); only the old neighbour entry goes.
    Set<String> inUse = new HashSet<>();
    for (Neighbour n : wanted) inUse.add(n.fdbKey());
    List<Kernel.Failure> f = kernel.applyNeighbours(device, List.of(), remove, inUse);
    remove.forEach(programmed::remove);
    return f;
  }
}
