package dev.netctl.bgp.rib;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A RIB's update groups: one per {@link OutboundProfile} in use, and the array of those every shard
 * publishes each change to. A group left without members is <em>retired</em>: it leaves the array
 * and the profile map, so shards stop computing exports and offering changes for it, and its
 * pending state and tables go. Over a speaker's life profiles come and go (export policies edited,
 * dynamic neighbours with their own settings), and without this every profile ever used cost export
 * work on every change, and memory, forever.
 *
 * <p><b>Why a retired group can be joined again.</b> Callers hold groups (the speaker keeps its
 * peer's group from {@link Rib#group} to {@link Rib#join}, or across a restart's hold-back), and a
 * group may be retired in between, on whatever thread ends the last member's session. Joining (or
 * moving into) a retired group revives it, under the lock that retirement takes too: it is listed
 * again, <em>then</em> its pending state is dropped, then the member is added and the shards queue
 * its table. That order is what makes the new member's table exact:
 *
 * <ul>
 *   <li>A live group's pending change for a key equals the group's export of the key as of the
 *       key's last published change, because every change of a key is offered while the group is
 *       listed, and a newer offer replaces an undrained older one. A member's table (one task per
 *       shard, queued after it joined) is read after every change that shard published before, so a
 *       pending change drained after it is never older than it (see {@link UpdateGroup}).
 *   <li>While retired that fails: shards skip the group, so what it still holds may be older than
 *       the Loc-RIB. Revival drops it. A change a shard offered before the drop is gone, and its
 *       effect is in the table, read by a task queued after the drop on the key's shard (every
 *       shard runs its tasks in submission order). A change offered after the drop came after the
 *       group was listed again (the drop takes each stripe's monitor, the offer takes it next), so
 *       every later change of that key, made by the same shard thread, sees the group listed and
 *       replaces it. A change skipped while retired ran in a task queued before the table's, so the
 *       table has it.
 *   <li>Retirement and revival check and change membership under this object's lock and the group's
 *       monitor, so a member is never added to a group the shards skip, and nothing a retired group
 *       holds reaches anyone: it has no members, and a member's table dumps and catch-ups are
 *       dropped once it is not one.
 * </ul>
 *
 * Shards read the array through one volatile read per change and take no lock: listing and
 * retirement are rare and copy the array. A shard may still offer into a group it read just before
 * retirement; that lands in a group nobody drains to, and revival drops it. (Retiring through a
 * task per shard, each clearing what that shard offered, would need each stripe filtered by shard:
 * the stripes are keyed by prefix, shared by all shards. Dropping everything at revival, when no
 * shard can make what is left stale, needs neither.)
 */
final class UpdateGroups {
  private volatile UpdateGroup[] live = new UpdateGroup[0];
  // Guarded by this.
  private final Map<OutboundProfile, UpdateGroup> byProfile = new HashMap<>();

  /** Groups listed from the start (tests drive shards with groups made by hand). */
  static UpdateGroups of(UpdateGroup... groups) {
    UpdateGroups g = new UpdateGroups();
    for (UpdateGroup one : groups) {
      g.add(one);
    }
    return g;
  }

  /** The groups shards publish to; an array that is never changed once read. */
  UpdateGroup[] live() {
    return live;
  }

  /** The listed groups. */
  List<UpdateGroup> list() {
    return List.of(live);
  }

  /** The listed group for {@code profile}, made and listed by {@code make} when there is none. */
  synchronized UpdateGroup forProfile(
      OutboundProfile profile, Function<OutboundProfile, UpdateGroup> make) {
    UpdateGroup g = byProfile.get(profile);
    if (g == null) {
      g = make.apply(profile);
      add(g);
    }
    return g;
  }

  /** Lists a group (its profile's group unless one is listed already). */
  synchronized void add(UpdateGroup g) {
    byProfile.putIfAbsent(g.profile(), g);
    UpdateGroup[] now = Arrays.copyOf(live, live.length + 1);
    now[now.length - 1] = g;
    live = now;
  }

  /**
   * Adds a member to {@code g} through {@code join} (which must add one), listing {@code g} again
   * first when it was retired: see the class comment for why the order is list, drop, add.
   */
  synchronized <T> T admit(UpdateGroup g, Supplier<T> join) {
    if (g.retired()) {
      add(g);
    }
    return join.get();
  }

  /**
   * Retires every listed group without members (after a member left: its session ended, or it moved
   * to another group). A group made for a member that has not joined yet is retired too; its join
   * revives it.
   */
  synchronized void retireEmpty() {
    UpdateGroup[] now = live;
    int kept = 0;
    UpdateGroup[] keep = new UpdateGroup[now.length];
    for (UpdateGroup g : now) {
      // Members are checked first without the group's monitor: a drain holds it while it packs a
      // table, and this runs on a shard thread that should not wait for that. A member is only
      // added under this object's lock (admit), so the check cannot miss a join.
      if (!g.hasMembers() && g.retireIfEmpty()) {
        byProfile.remove(g.profile(), g);
      } else {
        keep[kept++] = g;
      }
    }
    if (kept == now.length) {
      return;
    }
    live = Arrays.copyOf(keep, kept);
    // A group revived after its profile got a new one is listed beside it (both exact, see the
    // class comment); when the newer one empties, the profile's next peer joins the survivor
    // instead of a third group.
    for (int i = 0; i < kept; i++) {
      byProfile.putIfAbsent(keep[i].profile(), keep[i]);
    }
    for (UpdateGroup g : now) {
      if (g.retired()) {
        g.wake(); // its writer learns it has nothing more to write
      }
    }
  }
}
