package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.selector.Selector;
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

  /** The family of the addresses it holds. */
  IpFamily family();

  /**
   * The addresses of one family of the endpoints a selector matches.
   *
   * @param selector the (namespaced) selector
   * @param family the addresses' family
   * @param name the set's name, a hash of the selector's canonical text
   */
  record Addresses(Selector selector, IpFamily family, String name) implements NftSet {
    /** The IPv4 set of {@code selector}'s endpoints, named after its canonical text. */
    public Addresses(Selector selector) {
      this(selector, IpFamily.V4);
    }

    /** The set of {@code selector}'s endpoints' addresses of {@code family}. */
    public Addresses(Selector selector, IpFamily family) {
      this(selector, family, Names.setName(selector, family));
    }

    @Override
    public String type() {
      return family.addrType;
    }

    @Override
    public List<String> elements(Endpoint e, Map<String, String> labels) {
      if (!selector.matches(labels)) return List.of();
      return addresses(e, family);
    }
  }

  /**
   * {@code address . protocol . port} of every endpoint with a named port of this name and
   * protocol: a named port resolves on the endpoint that owns the address.
   *
   * @param port the port's name
   * @param protocol its protocol number
   * @param family the addresses' family
   * @param name the set's name, a hash of both
   */
  record NamedPorts(String port, int protocol, IpFamily family, String name) implements NftSet {
    /** The IPv4 set of named port {@code port}/{@code protocol}. */
    public NamedPorts(String port, int protocol) {
      this(port, protocol, IpFamily.V4);
    }

    /** The set of named port {@code port}/{@code protocol} on addresses of {@code family}. */
    public NamedPorts(String port, int protocol, IpFamily family) {
      this(port, protocol, family, "n" + family.setTag + "-" + Names.hash(protocol + "/" + port));
    }

    @Override
    public String type() {
      return family.addrType + " . inet_proto . inet_service";
    }

    @Override
    public List<String> elements(Endpoint e, Map<String, String> labels) {
      List<String> out = new ArrayList<>();
      for (NamedPort np : e.ports()) {
        if (!np.name().equals(port) || np.protocol() != protocol) continue;
        for (String a : addresses(e, family)) out.add(a + " . " + protocol + " . " + np.port());
      }
      return out;
    }
  }

  private static List<String> addresses(Endpoint e, IpFamily family) {
    List<String> out = new ArrayList<>(1);
    for (InetAddress a : e.addresses()) if (IpFamily.of(a) == family) out.add(Cidr.format(a));
    return out;
  }
}
