package dev.netctl.bgp.codec;

import java.util.Arrays;

/**
 * Octets written in network byte order into an array that grows as needed: how the attribute
 * encoder builds a set's wire form (RFC 4271 §4.3). A Netty {@code ByteBuf} checked its index,
 * capacity and reference count on every write, each a virtual call the C1-only speaker does not
 * inline; attribute encoding was a tenth of a RIB shard's CPU in a churn of new attribute sets
 * (docs/benchmarks.md, issue 14 session 17). Not thread-safe; reused after {@link #reset}.
 */
final class OctetWriter {
  private byte[] b;
  private int at;

  /** An empty writer with room for {@code capacity} octets before it grows. */
  OctetWriter(int capacity) {
    b = new byte[capacity];
  }

  /** The number of octets written. */
  int size() {
    return at;
  }

  /** The room currently held, written or not. */
  int capacity() {
    return b.length;
  }

  /** Forgets what was written. */
  void reset() {
    at = 0;
  }

  /** Forgets what was written from {@code size} on. */
  void rewind(int size) {
    at = size;
  }

  /** The array written into (valid up to {@link #size}), changed by later writes. */
  byte[] array() {
    return b;
  }

  /** A copy of what was written. */
  byte[] toByteArray() {
    return Arrays.copyOf(b, at);
  }

  void writeByte(int v) {
    ensure(1);
    b[at++] = (byte) v;
  }

  void writeShort(int v) {
    ensure(2);
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
    at += 2;
  }

  void writeInt(int v) {
    ensure(4);
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
    at += 4;
  }

  void writeBytes(byte[] v) {
    ensure(v.length);
    System.arraycopy(v, 0, b, at, v.length);
    at += v.length;
  }

  /** Overwrites the octet at {@code index}, written before. */
  void setByte(int index, int v) {
    b[index] = (byte) v;
  }

  /** Moves the octets from {@code index} on one place up, leaving the one at {@code index}. */
  void openAt(int index) {
    ensure(1);
    System.arraycopy(b, index, b, index + 1, at - index);
    at++;
  }

  /**
   * Makes room for {@code n} more octets and returns where they start: for a caller that puts them
   * into {@link #array} itself, then passes the index after the last to {@link #advanceTo}.
   */
  int reserve(int n) {
    ensure(n);
    return at;
  }

  /** Counts the octets put into {@link #array} after a {@link #reserve}, up to {@code end}. */
  void advanceTo(int end) {
    at = end;
  }

  private void ensure(int n) {
    if (b.length - at < n) {
      b = Arrays.copyOf(b, Math.max(b.length * 2, at + n));
    }
  }
}
