package dev.netctl.bgp.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Map;

/**
 * Picks epoll when the native library loads, NIO otherwise, and applies the sessions' socket
 * options: the traffic class and buffers, and those only epoll offers: TCP MD5 signatures (RFC
 * 2385) and the minimum TTL for GTSM (RFC 5082).
 */
public final class Transport {
  // setsockopt levels and names from <netinet/in.h>; Netty has no constant for IP_MINTTL.
  private static final IntegerUnixChannelOption IP_MINTTL =
      new IntegerUnixChannelOption("IP_MINTTL", 0, 21);
  private static final IntegerUnixChannelOption IPV6_MINHOPCOUNT =
      new IntegerUnixChannelOption("IPV6_MINHOPCOUNT", 41, 73);
  static final IntegerUnixChannelOption IP_TOS = new IntegerUnixChannelOption("IP_TOS", 0, 1);
  static final IntegerUnixChannelOption IPV6_TCLASS =
      new IntegerUnixChannelOption("IPV6_TCLASS", 41, 67);
  private static final IntegerUnixChannelOption IP_TTL =
      new IntegerUnixChannelOption("IP_TTL", 0, 2);
  private static final IntegerUnixChannelOption IPV6_UNICAST_HOPS =
      new IntegerUnixChannelOption("IPV6_UNICAST_HOPS", 41, 16);

  /**
   * When a session's socket counts as full. Netty's default (64 KiB high) is about what one
   * route-reflector client receives when a thousand clients announce a /26 each, and an update
   * group waits for every member to be writable, so the slowest reader paused the whole group again
   * and again. Group output is slices of one shared buffer, so a higher mark costs little memory
   * per member; a new member's table dump is still paced by it.
   */
  public static final WriteBufferWaterMark WATER_MARK =
      new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

  private final boolean epoll;
  private final WriteBufferWaterMark waterMark;
  private final int sendBuffer;

  private Transport(boolean epoll) {
    this(epoll, WATER_MARK, 0);
  }

  private Transport(boolean epoll, WriteBufferWaterMark waterMark, int sendBuffer) {
    this.epoll = epoll;
    this.waterMark = waterMark;
    this.sendBuffer = sendBuffer;
  }

  /** When a session's socket counts as full: {@link #WATER_MARK} unless set otherwise. */
  public WriteBufferWaterMark waterMark() {
    return waterMark;
  }

  /**
   * DSCP CS6 ("network control", RFC 4594 §3.1) in the IP header of session traffic: routers and
   * switches queue BGP ahead of bulk traffic by it, and BIRD, FRR and the big vendors mark their
   * sessions the same way. The whole TOS octet, so ECN stays 0 (the kernel manages it for TCP).
   */
  static final int NETWORK_CONTROL = 0xC0;

  /** Sets the options of the sessions {@code b} connects: traffic class and buffers. */
  public void sessionOptions(Bootstrap b) {
    b.option(ChannelOption.IP_TOS, NETWORK_CONTROL);
    b.option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark);
    if (sendBuffer > 0) {
      b.option(ChannelOption.SO_SNDBUF, sendBuffer);
    }
  }

  /**
   * Sets the options of the sessions {@code b} accepts: traffic class (on the listener too, so the
   * SYN-ACK carries it) and buffers.
   */
  public void sessionOptions(ServerBootstrap b, InetAddress local) {
    if (epoll) {
      // Netty's server channel configs know no IP_TOS; NIO's listener goes without (its accepted
      // sessions still get it below).
      b.option(local instanceof Inet6Address ? IPV6_TCLASS : IP_TOS, NETWORK_CONTROL);
    }
    b.childOption(ChannelOption.IP_TOS, NETWORK_CONTROL);
    b.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark);
    if (sendBuffer > 0) {
      b.childOption(ChannelOption.SO_SNDBUF, sendBuffer);
    }
  }

  /**
   * The same transport with small buffers, so that a test backs a member up with a small table:
   * sessions count as full above {@code writeHighWater} bytes of unwritten data (writable again
   * below a quarter of it), and their sockets get a fixed {@code sendBuffer} instead of the
   * kernel's auto-tuned one (up to 4 MiB on loopback).
   */
  public Transport withBuffers(int writeHighWater, int sendBuffer) {
    if (writeHighWater < 4096 || sendBuffer < 4096) {
      throw new IllegalArgumentException(
          "write high water mark "
              + writeHighWater
              + " and send buffer "
              + sendBuffer
              + " must be at least 4096 bytes");
    }
    return new Transport(
        epoll, new WriteBufferWaterMark(writeHighWater / 4, writeHighWater), sendBuffer);
  }

  /** Epoll if available, else NIO. */
  public static Transport best() {
    return new Transport(Epoll.isAvailable());
  }

  /** NIO regardless of platform (MD5 and GTSM unavailable). */
  public static Transport nio() {
    return new Transport(false);
  }

  /** Whether this transport is epoll. */
  public boolean isEpoll() {
    return epoll;
  }

  /** A group with {@code threads} event loops. */
  public EventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(
        threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /** The client channel class. */
  public Class<? extends SocketChannel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** The server channel class. */
  public Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** Sets MD5 keys on a client before connect; fails clearly on NIO. */
  public void md5(Bootstrap b, Map<InetAddress, byte[]> keys) {
    if (keys.isEmpty()) {
      return;
    }
    requireEpoll("TCP MD5 signatures");
    b.option(EpollChannelOption.TCP_MD5SIG, Map.copyOf(keys));
  }

  /** Sets MD5 keys on a listener; fails clearly on NIO. */
  public void md5(ServerBootstrap b, Map<InetAddress, byte[]> keys) {
    if (keys.isEmpty()) {
      return;
    }
    requireEpoll("TCP MD5 signatures");
    b.option(EpollChannelOption.TCP_MD5SIG, Map.copyOf(keys));
  }

  /**
   * GTSM: accept only packets with TTL at least {@code 256 - hops} (RFC 5082 §3) on a client; the
   * peer must send with TTL 255.
   */
  public void minTtl(Bootstrap b, InetAddress remote, int hops) {
    if (hops <= 0) {
      return;
    }
    requireEpoll("GTSM (IP_MINTTL)");
    boolean v6 = remote instanceof Inet6Address;
    // GTSM both ways: send with TTL 255, accept only what arrives within {@code hops}.
    b.option(v6 ? IPV6_UNICAST_HOPS : IP_TTL, 255);
    b.option(v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, 256 - hops);
  }

  /**
   * Listener sockets send with TTL 255 on epoll, so a GTSM peer accepts our SYN-ACK: the handshake
   * happens before we know which peer connected. Harmless for other peers.
   */
  void ttl255(ServerBootstrap b) {
    if (epoll) {
      b.option(IP_TTL, 255);
    }
  }

  /**
   * GTSM on an accepted connection, applied once the peer is known. Known limit: the listener is
   * shared by all peers, so IP_MINTTL cannot be set before accept; a segment that arrived between
   * the handshake and this call (typically the peer's OPEN) is already queued. Every later segment,
   * including the KEEPALIVE that would complete the session, is dropped, so a too-distant peer
   * never reaches Established.
   */
  public void minTtl(io.netty.channel.Channel ch, InetAddress remote, int hops) {
    if (hops <= 0) {
      return;
    }
    requireEpoll("GTSM (IP_MINTTL)");
    boolean v6 = remote instanceof Inet6Address;
    ch.config().setOption(v6 ? IPV6_UNICAST_HOPS : IP_TTL, 255);
    ch.config().setOption(v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, 256 - hops);
  }

  private void requireEpoll(String feature) {
    if (!epoll) {
      throw new IllegalStateException(feature + " needs the epoll transport; NIO is in use");
    }
  }
}
