package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.selector.Selector;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A named nftables set the rules refer to, and which elements an endpoint contributes to it. Named
 * after a hash of what defines it, so every rule using the same selector shares one set.
 */
public sealed interface NftSet {

  /** The set's name in the table. */
  String name();

  /** Its nft type. */
  String type();

  /** The elements {@code e} (with these effective labels) contributes. */
  List<String> elements(Endpoint e, Map<String, String> labels);

  /**
   * The IPv4 addresses of the endpoints a selector matches.
   *
   * @param selector the (namespaced) selector
   * @param name the set's name, a hash of the selector's canonical text
   */
  record Addresses(Selector selector, String name) implements NftSet {
    /** The set of {@code selector}'s endpoints, named after its canonical text. */
    public Addresses(Selector selector) {
      this(selector, Names.setName(selector));
    }

    @Override
    public String type() {
      return "ipv4_addr";
    }

    @Override
    public List<String> elements(Endpoint e, Map<String, String> labels) {
      if (!selector.matches(labels)) return List.of();
      return v4(e);
    }
  }

  /**
   * {@code address . protocol . port} of every endpoint with a named port of this name and
   * protocol: a named port resolves on the endpoint that owns the address.
   *
   * @param port the port's name
   * @param protocol its protocol number
   * @param name the set's name, a hash of both
   */
  record NamedPorts(String port, int protocol, String name) implements NftSet {
    /** The set of named port {@code port}/{@code protocol}. */
    public NamedPorts(String port, int protocol) {
      this(port, protocol, "n-" + Names.hash(protocol + "/" + port));
    }

    @Override
    public String type() {
      return "ipv4_addr . inet_proto . inet_service";
    }

    @Override
    public List<String> elements(Endpoint e, Map<String, String> labels) {
      List<String> out = new ArrayList<>();
      for (NamedPort np : e.ports()) {
        if (!np.name().equals(port) || np.protocol() != protocol) continue;
        for (String a : v4(e)) out.add(a + " . " + protocol + " . " + np.port());
      }
      return out;
    }
  }

  private static List<String> v4(Endpoint e) {
    List<String> out = new ArrayList<>(1);
    for (InetAddress a : e.addresses()) if (a instanceof Inet4Address) out.add(Cidr.format(a));
    return out;
  }
}
