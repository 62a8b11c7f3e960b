package dev.netctl.datastore.model;

import dev.netctl.datastore.selector.Selector;
import dev.netctl.datastore.selector.SelectorException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Collects the violations of one resource; holds the field-level checks shared by all kinds. */
final class ViolationCollector {

  final String kind;
  final String name;
  final List<Violation> violations = new ArrayList<>();

  ViolationCollector(Resource r) {
    this.kind = r.kind().name();
    this.name = Violation.nameOf(r);
  }

  void add(String field, Object value, String rule) {
    violations.add(
        new Violation(kind, name, field, value == null ? "<none>" : value.toString(), rule));
  }

  void metadata(Kind<?> kind, ObjectMeta m) {
    if (m.name() == null || m.name().isEmpty()) {
      add("metadata.name", m.name(), "is required");
    } else {
      dnsSubdomain("metadata.name", m.name());
    }
    String ns = m.namespace();
    if (kind.namespaced()) {
      if (ns == null || ns.isEmpty()) {
        add("metadata.namespace", ns, "is required: " + kind.name() + " is namespaced");
      } else if (!ObjectMeta.isNamespaceName(ns)) {
        add("metadata.namespace", ns, "must be a lower-case DNS-1123 label");
      }
    } else if (ns != null && !ns.isEmpty()) {
      add("metadata.namespace", ns, "must be empty: " + kind.name() + " is cluster-scoped");
    }
    for (Map.Entry<String, String> e : m.labels().entrySet()) {
      String f = "metadata.labels[" + e.getKey() + "]";
      if (!Validator.isQualifiedName(e.getKey())) {
        add(
            "metadata.labels",
            e.getKey(),
            "must be a label key: [prefix/]name, name 1-63 alphanumerics, '-', '_' or '.'");
      }
      String v = e.getValue();
      if (v == null || v.length() > 63 || !Validator.LABEL_VALUE.matcher(v).matches()) {
        add(
            f,
            v,
            "must be a label value: at most 63 alphanumerics, '-', '_' or '.', starting and"
                + " ending alphanumeric");
      }
    }
    for (String k : m.annotations().keySet()) {
      if (!Validator.isQualifiedName(k)) {
        add("metadata.annotations", k, "must be an annotation key: [prefix/]name");
      }
    }
  }

  void dnsSubdomain(String field, String value) {
    if (!Validator.isDnsSubdomain(value)) {
      add(
          field,
          value,
          "must be a DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', at most 253"
              + " characters, starting and ending alphanumeric");
    }
  }

  void selector(String field, String value) {
    Selector s = parsed(field, value);
    if (s != null && s.mentionsGlobal()) {
      add(field, value, "may not use global(): it is for a rule's namespaceSelector only");
    }
  }

  /**
   * A rule's {@code namespaceSelector}: a selector, or {@code global()} alone (Calico: it cannot be
   * combined, since it selects what has no namespace).
   */
  void ruleNamespaceSelector(String field, String value) {
    Selector s = parsed(field, value);
    if (s != null && s.mentionsGlobal() && !(s instanceof Selector.Global)) {
      add(field, value, "may use global() only alone, as the whole namespaceSelector");
    }
  }

  private Selector parsed(String field, String value) {
    try {
      return Selector.parse(value);
    } catch (SelectorException e) {
      add(
          field,
          value,
          "must be a valid selector (column " + e.column() + ": " + e.expected() + ")");
      return null;
    }
  }

  void asNumber(String field, long asn) {
    if (asn < 1 || asn > AsNumber.MAX) add(field, asn, "must be an AS number 1-4294967295");
  }

  Cidr cidr(String field, String value, boolean required) {
    if (value == null || value.isEmpty()) {
      if (required) add(field, value, "is required");
      return null;
    }
    try {
      return Cidr.parse(value);
    } catch (IllegalArgumentException e) {
      add(
          field,
          value,
          Cidr.ipv4Mapped(value)
              ? Cidr.NO_IPV4_MAPPED
              : "must be a CIDR such as 10.0.0.0/16 or fd00::/48");
      return null;
    }
  }

  void addressOrCidr(String field, String value, boolean v4) {
    if (value == null) return;
    String family = v4 ? "IPv4" : "IPv6";
    try {
      Cidr c = Cidr.parseAddressOrCidr(value);
      if (c.isIPv4() != v4) throw new IllegalArgumentException();
    } catch (IllegalArgumentException e) {
      add(field, value, "must be an " + family + " address, optionally with a prefix length");
    }
  }

  void address(String field, String value, boolean v4) {
    if (value == null) return;
    try {
      InetAddress a = Cidr.parseAddress(value);
      if (v4 ? !(a instanceof Inet4Address) : !(a instanceof Inet6Address)) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      add(field, value, "must be an " + (v4 ? "IPv4" : "IPv6") + " address");
    }
  }

  void mac(String field, String value) {
    if (value != null && !Validator.MAC.matcher(value).matches()) {
      add(field, value, "must be a MAC address such as ee:ee:ee:ee:ee:ee");
    }
  }
}
