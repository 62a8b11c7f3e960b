package dev.netctl.ctl;

import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.ipam.block.Cidr;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code netctl ipam split} cuts a pool (calicoctl's {@code ipam split}): into a power of two
 * of equal children that keep every field but the cidr. Each child must hold whole blocks, so the
 * blocks already carved, their affinities and allocations stay valid unchanged.
 */
final class PoolSplit {
  private PoolSplit() {}

  /**
   * The children of {@code parent}, named {@code split-<child cidr>} (e.g. {@code
   * split-10-244-128-0-17}).
   *
   * @throws CliException INVALID when {@code count} is not a power of two of at least 2, or the
   *     children would be smaller than a block
   */
  static List<IPPool> children(IPPool parent, int count) {
    IPPoolSpec s = parent.spec();
    if (count < 2 || Integer.bitCount(count) != 1) {
      throw new CliException(
          ExitCode.INVALID,
          "ipam split: NUMBER \"" + count + "\" must be a power of 2, at least 2");
    }
    Cidr cidr = Cidr.parse(s.cidr());
    int childPrefix = cidr.prefixLength() + Integer.numberOfTrailingZeros(count);
    if (childPrefix > s.blockSize()) {
      throw new CliException(
          ExitCode.INVALID,
          "IPPool \""
              + parent.name()
              + "\": spec.cidr \""
              + cidr
              + "\" cannot be split into "
              + count
              + ": each part (/"
              + childPrefix
              + ") must hold at least one block (spec.blockSize "
              + s.blockSize()
              + ")");
    }
    List<IPPool> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Cidr part = cidr.block(BigInteger.valueOf(i), childPrefix);
      ObjectMeta meta =
          new ObjectMeta(
              "split-" + part.name(),
              parent.metadata().labels(),
              parent.metadata().annotations(),
              null,
              null,
              null);
      IPPoolSpec spec =
          new IPPoolSpec(
              part.toString(),
              s.blockSize(),
              s.ipipMode(),
              s.vxlanMode(),
              s.natOutgoing(),
              s.disabled(),
              s.disableBGPExport(),
              s.nodeSelector(),
              s.allowedUses(),
              s.assignmentMode());
      out.add(new IPPool(meta, spec));
    }
    return out;
  }
}
